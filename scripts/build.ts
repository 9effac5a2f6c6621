/**
 * `npm run build` (and `prepack`): compiles harness/ to JavaScript in dist/ (tsconfig.build.json), then
 * copies every file of harness/ that is not TypeScript (the launcher, indicators.yaml, compliance.json, ...)
 * to the same place in dist/, so that code reading a file next to itself finds it in the built copy too.
 * dist/ mirrors harness/ folder for folder: a path relative to a module (`../../images`) means the same
 * place in both.
 */
import { spawnSync } from 'node:child_process';
import { cp, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const SOURCE = path.join(ROOT, 'harness');
const DIST = path.join(ROOT, 'dist');

await rm(DIST, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
if (compiled.status !== 0) {
  process.stderr.write('build: tsc failed; dist/ is incomplete\n');
  process.exit(1);
}
let copied = 0;
for (const entry of await readdir(SOURCE, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
  const from = path.join(entry.parentPath, entry.name);
  await cp(from, path.join(DIST, path.relative(SOURCE, from)));
  copied += 1;
}
process.stderr.write(`build: dist/ has the compiled harness and ${copied} data files\n`);
