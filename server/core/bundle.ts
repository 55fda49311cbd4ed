import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The storage thread's code as plain ES modules: its entry, and each plugin module's built file. */
export interface CoreBundle {
  entry: URL;
  /** Plugin module URL (as in `portable.module`) → the URL of its built module. */
  plugins: Record<string, string>;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Inside node_modules, so the built modules resolve packages as the sources do. */
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'hubflash');
const LAYOUT = path.join(CACHE, 'layout');
const built = new Map<string, Promise<CoreBundle>>();

/**
 * Builds the storage thread's code (coreWorker.ts and the plugins' modules, our sources bundled,
 * packages left to node_modules) into plain ES modules with esbuild, once per process and set of
 * plugins. The thread then needs no TypeScript loader of its own: tsx in a worker costs a loader
 * thread and an esbuild service, about 25 MiB of the server's memory. Kept in
 * node_modules/.cache/hubflash, one folder per content hash.
 */
export function buildCoreBundle(pluginModules: readonly string[]): Promise<CoreBundle> {
  const key = pluginModules.join('\n');
  let bundle = built.get(key);
  if (!bundle) {
    bundle = build(pluginModules);
    built.set(key, bundle);
    bundle.catch(() => built.delete(key));
  }
  return bundle;
}

/** Removes builds of other (older) code that nothing has used for `ageMs`. */
function pruneOlderThan(keep: string, ageMs: number): void {
  for (const name of readdirSync(CACHE)) {
    const other = path.join(CACHE, name);
    if (other === keep || !name.startsWith('core-')) continue;
    if (Date.now() - statSync(other).mtimeMs > ageMs) rmSync(other, { recursive: true, force: true });
  }
}

async function build(pluginModules: readonly string[]): Promise<CoreBundle> {
  const { build: esbuild } = await import('esbuild');
  const entries = [path.join(ROOT, 'server', 'core', 'coreWorker.ts'), ...pluginModules.map((m) => fileURLToPath(m))];
  const result = await esbuild({
    entryPoints: entries,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    absWorkingDir: ROOT,
    outdir: LAYOUT, // not written there: it only lays out the output paths
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const hash = createHash('sha256');
  for (const f of result.outputFiles) hash.update(f.path).update(f.contents);
  const dir = path.join(CACHE, `core-${hash.digest('hex').slice(0, 16)}`);
  if (!existsSync(dir)) {
    // Written whole, then renamed into place, so a concurrent start never sees half of it.
    const tmp = `${dir}.${process.pid}.${Date.now()}`;
    for (const f of result.outputFiles) {
      const to = path.join(tmp, path.relative(LAYOUT, f.path));
      mkdirSync(path.dirname(to), { recursive: true });
      writeFileSync(to, f.contents);
    }
    try {
      renameSync(tmp, dir);
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      if (!existsSync(dir)) throw err;
    }
    pruneOlderThan(dir, 24 * 3600_000);
  }
  const outputOf = (entry: string): string => {
    const [out] = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint !== undefined && path.resolve(ROOT, o.entryPoint) === entry) ?? [];
    if (!out) throw new Error(`esbuild wrote nothing for ${entry}`);
    return pathToFileURL(path.join(dir, path.relative(LAYOUT, path.resolve(ROOT, out)))).href;
  };
  return {
    entry: new URL(outputOf(entries[0]!)),
    plugins: Object.fromEntries(pluginModules.map((m, i) => [m, outputOf(entries[i + 1]!)])),
  };
}
