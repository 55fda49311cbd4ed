import { z } from 'zod';

/**
 * A faster way through a zod schema for the hot path (every rig result), generated from the
 * schema itself so zod stays the one definition. The schema's definition is walked once into
 * one straight-line JavaScript function (as zod's own JIT does for objects) that keeps what
 * zod does per value: type tests, the checks' regexes, zod's own check functions (lengths,
 * ranges, refinements, run on one reused payload), the transforms, and output objects built
 * key by key in shape order; it skips zod's per-node payloads and issue bookkeeping. Anything
 * it cannot decide returns FAIL and the caller asks zod (for the verdict and its message); a
 * schema using a construct not covered here is not compiled at all.
 */
export const FAIL: unique symbol = Symbol('fail');
export type Parser = (input: unknown) => unknown;

class Unsupported extends Error {}

interface Payload {
  value: unknown;
  issues: unknown[];
}
interface Check {
  _zod: { def: { check: string; format?: string; pattern?: RegExp; when?: (p: Payload) => boolean }; check(p: Payload): unknown };
}
interface Node {
  _zod: { def: Record<string, any> & { type: string }; traits: Set<string>; values?: Set<unknown>; optin?: string; optout?: string };
}

/** Check kinds that only look at the value (never rewrite it). */
const PURE_CHECKS = new Set(['less_than', 'greater_than', 'multiple_of', 'number_format', 'min_length', 'max_length', 'length_equals', 'string_format', 'custom']);
/** String formats whose check is exactly a test of their pattern. */
const PATTERN_FORMATS = new Set(['regex', 'uuid', 'guid', 'datetime', 'date', 'time']);

/** What a transform gets as its context (zod passes its payload, with `addIssue`). */
class TransformContext {
  readonly issues: unknown[] = [];
  constructor(readonly value: unknown) {}
  addIssue(issue: unknown): void {
    this.issues.push(issue);
  }
}

/** Returns undefined when the schema uses something this compiler does not cover. */
export function compileSchema(schema: z.ZodType): Parser | undefined {
  const gen = new Generator();
  let out: string;
  try {
    out = gen.node(schema as unknown as Node, 'input');
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
  const body = `return function compiledParse(input) {\n${gen.lines.join('\n')}\nreturn ${out};\n};`;
  const scratch: Payload = { value: undefined, issues: [] };
  // Code built from our own schema (no input reaches it), as zod's JIT does.
  return new Function('R', 'FAIL', 'TC', 'NEVER', 'S', body)(gen.refs, FAIL, TransformContext, z.NEVER, scratch) as Parser;
}

class Generator {
  readonly refs: unknown[] = [];
  readonly lines: string[] = [];
  private n = 0;

  private ref(value: unknown): string {
    this.refs.push(value);
    return `R[${this.refs.length - 1}]`;
  }

  private tmp(): string {
    return `v${this.n++}`;
  }

  private emit(line: string): void {
    this.lines.push(line);
  }

  /** Emits the code for one schema node reading `input`; returns the variable holding its output. */
  node(node: Node, input: string): string {
    const def = node._zod.def;
    if (def.coerce) throw new Unsupported('coerce');
    const out = this.type(node, input);
    const checks = [...(node._zod.traits.has('$ZodCheck') ? [node as unknown as Check] : []), ...((def.checks ?? []) as Check[])];
    for (const check of checks) this.check(check, out);
    return out;
  }

  private type(node: Node, x: string): string {
    const def = node._zod.def;
    switch (def.type) {
      case 'string':
        this.emit(`if (typeof ${x} !== 'string') return FAIL;`);
        return x;
      case 'number':
        this.emit(`if (typeof ${x} !== 'number' || !Number.isFinite(${x})) return FAIL;`);
        return x;
      case 'boolean':
        this.emit(`if (typeof ${x} !== 'boolean') return FAIL;`);
        return x;
      case 'literal':
      case 'enum':
        this.emit(`if (!${this.ref(node._zod.values)}.has(${x})) return FAIL;`);
        return x;
      case 'optional': {
        if ((def.innerType as Node)._zod.optin === 'defaulted') throw new Unsupported('default');
        const out = this.tmp();
        this.emit(`let ${out}; if (${x} !== undefined) {`);
        this.emit(`${out} = ${this.node(def.innerType as Node, x)};`);
        this.emit('}');
        return out;
      }
      case 'pipe':
        return this.node(def.out as Node, this.node(def.in as Node, x));
      case 'transform': {
        const [ctx, out] = [this.tmp(), this.tmp()];
        this.emit(`const ${ctx} = new TC(${x}); let ${out};`);
        this.emit(`try { ${out} = ${this.ref(def.transform)}(${x}, ${ctx}); } catch { return FAIL; }`);
        this.emit(`if (${ctx}.issues.length > 0 || ${out} === NEVER || ${out} instanceof Promise) return FAIL;`);
        return out;
      }
      case 'object':
        return this.object(def, x);
      case 'record':
        return this.record(def, x);
      case 'array': {
        const [out, i, element] = [this.tmp(), this.tmp(), this.tmp()];
        this.emit(`if (!Array.isArray(${x})) return FAIL;`);
        this.emit(`const ${out} = new Array(${x}.length);`);
        this.emit(`for (let ${i} = 0; ${i} < ${x}.length; ${i}++) { const ${element} = ${x}[${i}];`);
        this.emit(`${out}[${i}] = ${this.node(def.element as Node, element)};`);
        this.emit('}');
        return out;
      }
      default:
        throw new Unsupported(def.type);
    }
  }

  private object(def: Record<string, any>, x: string): string {
    const catchall = def.catchall as Node | undefined;
    if (catchall && catchall._zod.def.type !== 'never') throw new Unsupported('catchall');
    const out = this.tmp();
    this.emit(`if (typeof ${x} !== 'object' || ${x} === null || Array.isArray(${x})) return FAIL;`);
    this.emit(`const ${out} = {};`);
    for (const [key, schema] of Object.entries(def.shape as Record<string, Node>)) {
      if (key === '__proto__') throw new Unsupported('__proto__');
      const { optin, optout } = schema._zod;
      if (optin !== undefined && !(optin === 'optional' && optout === 'optional')) throw new Unsupported(`optin ${optin}`);
      const k = JSON.stringify(key);
      const value = this.tmp();
      this.emit(optin === undefined ? `if (!(${k} in ${x})) return FAIL; {` : `if (${k} in ${x}) {`);
      this.emit(`const ${value} = ${x}[${k}];`);
      this.emit(`${out}[${k}] = ${this.node(schema, value)};`);
      this.emit('}');
    }
    // Strict objects refuse unknown keys; others leave them out of the output.
    if (catchall) this.emit(`for (const k in ${x}) if (!${this.ref(new Set(Object.keys(def.shape)))}.has(k)) return FAIL;`);
    return out;
  }

  private record(def: Record<string, any>, x: string): string {
    const keyType = def.keyType as Node;
    if (keyType._zod.values !== undefined || def.mode === 'loose' || def.partial) throw new Unsupported('record keys');
    const [out, key, value] = [this.tmp(), this.tmp(), this.tmp()];
    this.emit(`if (typeof ${x} !== 'object' || ${x} === null || Object.getPrototypeOf(${x}) !== Object.prototype) return FAIL;`);
    this.emit(`const ${out} = {};`);
    // As zod: an own `__proto__` key is skipped, never copied into the output.
    this.emit(`for (const ${key} of Object.keys(${x})) { if (${key} === '__proto__') continue; const ${value} = ${x}[${key}];`);
    const k = this.node(keyType, key);
    this.emit(`if (typeof ${k} !== 'string' || ${k} === '__proto__') return FAIL;`);
    this.emit(`${out}[${k}] = ${this.node(def.valueType as Node, value)};`);
    this.emit('}');
    return out;
  }

  private check(check: Check, x: string): void {
    const def = check._zod.def;
    if (!PURE_CHECKS.has(def.check)) throw new Unsupported(def.check);
    if (def.check === 'string_format' && def.format && PATTERN_FORMATS.has(def.format) && def.pattern instanceof RegExp) {
      const re = this.ref(def.pattern);
      this.emit(`${re}.lastIndex = 0; if (!${re}.test(${x})) return FAIL;`);
      return;
    }
    // zod's own check function, on the one reused payload, as zod's runChecks calls it.
    const c = this.ref(check);
    this.emit(`S.value = ${x}; if (S.issues.length > 0) S.issues = [];`);
    const run = `if (${c}._zod.check(S) instanceof Promise || S.issues.length > 0) return FAIL;`;
    this.emit(def.when ? `if (${c}._zod.def.when(S)) { ${run} }` : run);
  }
}
