#!/usr/bin/env node
/**
 * The entry point. It turns on Node's compile cache before anything else loads (TypeScript stripping
 * and compilation are then done once per version, not on every start), then runs the program.
 */
import module from 'node:module';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

module.enableCompileCache?.();

if (isEntryPoint()) {
  const { main } = await import('./program.ts');
  process.exitCode = await main(process.argv.slice(2));
}

function isEntryPoint(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}
