// Runs before `npm start` and `npm test`: on a fresh clone (no node_modules, or a lockfile newer
// than the install) it installs exactly the locked dependencies first, so the README's two
// quick-start commands work on a fresh machine.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const installed = 'node_modules/.package-lock.json';
const stale = !existsSync(installed) || statSync(installed).mtimeMs < statSync('package-lock.json').mtimeMs;
if (stale) {
  process.stderr.write('hubflash: installing the locked dependencies (npm ci)…\n');
  const run = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}
