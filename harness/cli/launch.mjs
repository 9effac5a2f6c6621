#!/usr/bin/env node
// The command's launcher, in plain JavaScript so that any Node can read it: it checks the Node version
// against package.json's `engines` before loading the program (TypeScript in a checkout, JavaScript in
// an installed package), so an old Node gets one line saying what to install instead of a stack trace.
import { existsSync, readFileSync } from 'node:fs';
import module from 'node:module';

const EX_USAGE = 64;
const engines = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).engines.node;
const needed = /(\d+)\.(\d+)/.exec(engines).slice(1).map(Number);
const running = process.versions.node.split('.').map(Number);
if (running[0] < needed[0] || (running[0] === needed[0] && running[1] < needed[1])) {
  process.stderr.write(
    `restore-drill needs Node.js ${needed[0]}.${needed[1]} or newer (package.json engines: "${engines}"); this is Node.js ${process.versions.node} (${process.execPath}). ` +
      'Install a current LTS release (24) from nodejs.org, your distribution or a version manager such as nvm, and run it again.\n',
  );
  process.exit(EX_USAGE);
}

// Node compiles (and strips types) once per version, not on every start.
module.enableCompileCache?.();
const built = existsSync(new URL('./program.js', import.meta.url));
const { main } = await import(built ? './program.js' : './program.ts');
process.exitCode = await main(process.argv.slice(2));
