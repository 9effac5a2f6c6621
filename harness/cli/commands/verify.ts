/** `restore-drill verify`: declared here (its --help is whole); the work is in ../verify-command.ts, loaded when it runs. */
import type { Command } from 'commander';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('check a folder against a sha256sum-format manifest (missing, changed, extra files), without a drill')
    .argument('<dir>', 'the folder to check')
    .argument('<manifest>', 'the manifest (as written by "restore-drill manifest" or sha256sum)')
    .option('--extra <mode>', 'files the manifest does not list: forbid or allow', 'forbid')
    .option('--workers <n>', 'hashing threads (default: one per core)')
    .action(async (dir: string, manifest: string, flags: { extra: string; workers?: string }) => {
      const { verifyCommand } = await import('../verify-command.ts');
      process.exitCode = await verifyCommand(dir, manifest, flags);
    });
}
