/** `restore-drill manifest`: declared here (its --help is whole); the work is in ../manifest-command.ts, loaded when it runs. */
import type { Command } from 'commander';

export function registerManifest(program: Command): void {
  program
    .command('manifest')
    .description('write the expected state of a folder in sha256sum format (sorted by path; "sha256sum -c" in the folder accepts it)')
    .argument('<dir>', 'the folder to describe (regular files only)')
    .option('-o, --output <file>', 'write to this file instead of stdout, atomically (a temporary file renamed: never half a manifest); inside <dir>, it leaves itself out')
    .option('--exclude <path>', 'leave this path out (relative to <dir>; a folder leaves out all below it); repeatable', (value: string, list: string[] = []) => [...list, value])
    .action(async (dir: string, flags: { output?: string; exclude?: string[] }) => {
      const { manifestCommand } = await import('../manifest-command.ts');
      await manifestCommand(dir, { ...flags, exclude: flags.exclude ?? [] });
    });
}
