import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import { InstallState } from '../../protocol/messages/index.ts';
import { PROTOCOL_STEPS, type ByteFaults, type HubFaults, type PowerLossTrigger, type ProtocolStep, type Trigger } from './types.ts';

/**
 * The `--faults` grammar (docs/simulator.md): clauses separated by `;`, each
 * `[hubN:]fault[,fault…]`, each fault `name[=value][@key=value…]`. A clause without a hub
 * applies to every hub. Only HubflashError (SimFaultSpecInvalid) comes out of here.
 */
export function parseFaultSpec(spec: string): Map<number | '*', HubFaults> {
  const out = new Map<number | '*', HubFaults>();
  if (typeof spec !== 'string') throw invalid(`a fault spec must be text, got ${typeof spec}`, '');
  for (const raw of spec.split(';')) {
    const clause = raw.trim();
    if (clause === '') continue;
    const colon = clause.indexOf(':');
    const target = colon === -1 ? '*' : parseTarget(clause.slice(0, colon).trim(), clause);
    const faults = out.get(target) ?? {};
    for (const f of clause.slice(colon + 1).split(',')) {
      if (f.trim() === '') throw invalid('an empty fault', clause);
      applyFault(faults, f.trim(), clause);
    }
    out.set(target, faults);
  }
  return out;
}

/** The faults for hub `index`: those for every hub, then its own (lists joined, settings overridden). */
export function faultsForHub(map: ReadonlyMap<number | '*', HubFaults>, index: number): HubFaults {
  return mergeFaults(map.get('*') ?? {}, map.get(index) ?? {});
}

export function mergeFaults(a: HubFaults, b: HubFaults): HubFaults {
  const lists = (x?: unknown[], y?: unknown[]) => (x || y ? [...(x ?? []), ...(y ?? [])] : undefined);
  const merged: HubFaults = { ...a, ...b, toHub: { ...a.toHub, ...b.toHub }, toHost: { ...a.toHost, ...b.toHost } };
  merged.powerLoss = lists(a.powerLoss, b.powerLoss) as PowerLossTrigger[] | undefined;
  merged.disconnect = lists(a.disconnect, b.disconnect) as Trigger[] | undefined;
  merged.stall = lists(a.stall, b.stall) as HubFaults['stall'];
  for (const k of Object.keys(merged) as Array<keyof HubFaults>) if (merged[k] === undefined) delete merged[k];
  return merged;
}

function parseTarget(text: string, clause: string): number | '*' {
  if (text === '*') return '*';
  const m = /^(?:hub)?(\d{1,6})$/i.exec(text);
  if (!m) throw invalid(`hub ${JSON.stringify(text)} is not hubN, N or *`, clause);
  return Number(m[1]);
}

function applyFault(faults: HubFaults, text: string, clause: string): void {
  const [head = '', ...mods] = text.split('@');
  const eq = head.indexOf('=');
  const name = (eq === -1 ? head : head.slice(0, eq)).trim().toLowerCase();
  const value = eq === -1 ? undefined : head.slice(eq + 1).trim();
  const at = new Map(mods.map((m) => parseModifier(m, clause)));
  const need = (what: string): string => value ?? fail(`${name} needs =${what}`);
  switch (name) {
    case 'power-loss':
      (faults.powerLoss ??= []).push(at.has('op') ? { op: integer(at.get('op')!, 'op', clause, 1) } : trigger(at, name, clause));
      return;
    case 'disconnect':
      (faults.disconnect ??= []).push(trigger(at, name, clause));
      return;
    case 'stall':
      (faults.stall ??= []).push({ ms: integer(need('MS'), 'stall', clause), at: trigger(at, name, clause) });
      return;
    case 'power-on-delay':
      faults.powerOnDelayMs = integer(need('MS'), name, clause);
      return;
    case 'reenumerate':
      faults.reenumerateMs = integer(need('MS'), name, clause);
      return;
    case 'boot-fail':
      faults.bootFail = value === undefined ? Infinity : integer(value, name, clause, 1);
      return;
    case 'commissioned':
      faults.installState = InstallState.Commissioned;
      return;
    case 'installed':
      faults.installState = InstallState.InstalledNotCommissioned;
      return;
    case 'nonsense-identity':
      faults.nonsenseIdentity = true;
      return;
    case 'bitflip':
    case 'drop':
    case 'dup':
    case 'duplicate': {
      const key: keyof ByteFaults = name === 'dup' ? 'duplicate' : name;
      const rate = probability(need('RATE'), name, clause);
      const dir = at.get('dir') ?? 'both';
      if (dir !== 'both' && dir !== 'to-hub' && dir !== 'to-host') fail(`dir must be to-hub, to-host or both, got ${dir}`);
      if (dir !== 'to-host') (faults.toHub ??= {})[key] = rate;
      if (dir !== 'to-hub') (faults.toHost ??= {})[key] = rate;
      return;
    }
    default:
      fail(`unknown fault ${JSON.stringify(name)}`);
  }
  function fail(message: string): never {
    throw invalid(message, clause);
  }
}

function parseModifier(text: string, clause: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw invalid(`@${text} is not @key=value`, clause);
  return [text.slice(0, eq).trim().toLowerCase(), text.slice(eq + 1).trim()];
}

function trigger(at: Map<string, string>, fault: string, clause: string): Trigger {
  const keys = [...at.keys()].filter((k) => k !== 'dir');
  if (keys.length !== 1) throw invalid(`${fault} needs exactly one of @offset=N, @step=NAME, @after=MS`, clause);
  const key = keys[0]!;
  const value = at.get(key)!;
  if (key === 'offset') return { offset: integer(value, key, clause) };
  if (key === 'after') return { afterMs: integer(value, key, clause) };
  if (key === 'step') {
    if (!(PROTOCOL_STEPS as readonly string[]).includes(value)) throw invalid(`step must be one of ${PROTOCOL_STEPS.join(', ')}, got ${value}`, clause);
    return { step: value as ProtocolStep };
  }
  throw invalid(`@${key} is not a trigger (use @offset, @step or @after)`, clause);
}

function integer(text: string, what: string, clause: string, min = 0): number {
  const n = /^\d{1,12}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw invalid(`${what} must be a whole number of at least ${min}, got ${JSON.stringify(text)}`, clause);
  return n;
}

function probability(text: string, what: string, clause: string): number {
  const n = /^[0-9.eE+-]+$/.test(text) ? Number(text) : NaN;
  if (!(n >= 0 && n <= 1)) throw invalid(`${what} must be a rate from 0 to 1 (e.g. 1e-5), got ${JSON.stringify(text)}`, clause);
  return n;
}

function invalid(message: string, clause: string): HubflashError {
  return new HubflashError(ErrorCode.SimFaultSpecInvalid, `Fault spec ${clause ? `"${clause}"` : ''}: ${message}`, { clause });
}
