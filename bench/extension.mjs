// The extension's load cost and bundle sizes (DESIGN.md §9): the time `require` of dist/extension.js
// takes (what activation pays before `activate` runs; `vscode` is a stub here) against `require` of
// an empty module in the same process shape, and the sizes of what the .vsix ships.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS || 7);

const probe = (file) => `
const Module = require('module');
const load = Module._load;
Module._load = function (req, ...rest) { return req === 'vscode' ? { TreeItem: class {} } : load.call(this, req, ...rest); };
const t = process.hrtime.bigint();
require(${JSON.stringify(file)});
process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));`;

function median(file) {
  const ms = [];
  for (let i = 0; i < RUNS; i++) ms.push(Number(execFileSync(process.execPath, ['-e', probe(file)], { encoding: 'utf8' })));
  return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)];
}

const ext = median(join(ROOT, 'dist', 'extension.js'));
const deploy = median(join(ROOT, 'dist', 'deploy.js'));
const empty = median(join(ROOT, 'bench', 'empty.cjs'));
console.log(`extension: require(dist/extension.js) ${ext.toFixed(1)} ms median of ${RUNS} vs an empty module ${empty.toFixed(1)} ms (${(ext / empty).toFixed(1)}x); the deployer (loaded only by Deploy/Destroy/Git credentials) would add ${deploy.toFixed(1)} ms`);
for (const f of ['dist/extension.js', 'dist/deploy.js', 'dist/cli.js', 'dist/supervisor.js', 'dist/template.yaml', 'mycli.vsix']) {
  try {
    console.log(`  ${f.padEnd(20)} ${(statSync(join(ROOT, f)).size / 1024).toFixed(0).padStart(6)} KiB`);
  } catch {
    console.log(`  ${f.padEnd(20)}   (not built: npm run package)`);
  }
}
