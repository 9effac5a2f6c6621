import type { Command } from 'commander';

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('the Ed25519 key pair that signs evidence.json');
  keys
    .command('init')
    .description("make a signing key pair (private key mode 0600) and record it in the configuration file (~/.config/restore-drill/config.json on Linux, or RESTORE_DRILL_CONFIG); RESTORE_DRILL_KEY overrides the private key's path at run time")
    .option('--dir <dir>', 'folder for the key files (default: keys/ beside the configuration file); never inside a results folder')
    .option('--force', 'replace an existing key (evidence signed with the old key then verifies only with the old public key)')
    .action(async (flags: { dir?: string; force?: boolean }) => {
      const { initKeys } = await import('../../evidence/keys.ts');
      const made = await initKeys(flags);
      process.stdout.write(
        [
          `private key  ${made.privateKey}  (mode 0600: keep it on this machine, never in results)`,
          `public key   ${made.publicKey}  (give this to auditors: restore-drill evidence verify --key FILE)`,
          `key id       ${made.keyId}`,
          `config       ${made.config}`,
          '',
        ].join('\n'),
      );
    });
  keys.exitOverride();
  for (const command of keys.commands) command.exitOverride();
}
