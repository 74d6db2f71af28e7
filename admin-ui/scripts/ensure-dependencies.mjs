// Runs `npm ci` when node_modules does not match package-lock.json (a clean clone, or a lock
// file changed since the last install); otherwise does nothing, so repeated builds stay fast.
// Called by the Maven build (exec-maven-plugin) before `npm run build`.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`The admin UI needs Node.js 20.19 or newer; this is ${process.version}.`);
  process.exit(1);
}

const lock = readFileSync('package-lock.json');
const digest = createHash('sha256').update(lock).digest('hex');
const stamp = 'node_modules/.ferry-lock-sha256';

if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === digest) {
  console.log('admin-ui: node_modules matches package-lock.json');
} else {
  console.log('admin-ui: npm ci');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit', shell: process.platform === 'win32' });
  writeFileSync(stamp, digest + '\n');
}
