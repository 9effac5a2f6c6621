/**
 * init: writes a commented, validated scenario from a backup that is already there. Flags only here,
 * parsed into a draft request; the work (prompts for what is missing, points, manifest, the file) is
 * in harness/init/, loaded when init runs.
 */
import type { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import { SANDBOX_CHOICES } from '../../sandboxes/choices.ts';
import type { BackupKind, BackupRequest, InitDraft } from '../../init/request.ts';
import { sandboxChoice } from './run.ts';

export interface InitFlags {
  tar?: string;
  dir?: string;
  restic?: string;
  borg?: string;
  pgdump?: string;
  passwordEnv?: string;
  passwordFile?: string;
  passphraseEnv?: string;
  passphraseFile?: string;
  database?: string;
  output?: string;
  name?: string;
  force?: boolean;
  sandbox: string;
}

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('write a commented scenario from a backup that is already there: its source, a sandbox, a files check against a manifest of its newest point, and targets to edit')
    .option('--tar <path>', 'a tar archive, or a glob of archives in quotes (one restore point each)')
    .option('--dir <path>', 'a folder, or a glob of snapshot folders in quotes')
    .option('--restic <repo>', 'a restic repository (with --password-env or --password-file)')
    .option('--borg <repo>', 'a borg repository (with --passphrase-env or --passphrase-file when it is encrypted)')
    .option('--pgdump <file>', 'a pg_dump file, or a glob of dumps in quotes (with --database)')
    .option('--password-env <var>', 'the environment variable that holds the repository password (its name: the scenario never holds the password)')
    .option('--password-file <file>', 'a file whose first line is the repository password')
    .option('--passphrase-env <var>', 'borg: the same as --password-env')
    .option('--passphrase-file <file>', 'borg: the same as --password-file')
    .option('--database <name>', 'pgdump: the database the dump is loaded into')
    .option('-o, --output <file>', 'the scenario file to write (default NAME.yaml); the manifest init writes goes beside it (NAME-manifests/{id}.sha256, NAME.sha256 for a single archive or folder)')
    .option('--name <name>', "the scenario's name (default: from the backup's file or folder name)")
    .option('--force', 'replace the scenario and manifest files when they exist')
    .option('--sandbox <driver>', `where the newest point is restored to write its manifest: ${SANDBOX_CHOICES.join(', ')}`, 'local')
    .addHelpText('after', '\nWith a terminal attached, init asks for what a flag left out; without one, it names the missing flag and exits 64.')
    .action(async (flags: InitFlags) => {
      const { runInit } = await import('../../init/run.ts');
      process.exitCode = await runInit(initDraft(flags));
    });
}

export function initDraft(flags: InitFlags): InitDraft {
  return { backup: backupOf(flags), output: flags.output, name: flags.name, force: flags.force === true, sandbox: sandboxChoice(flags.sandbox) };
}

function backupOf(flags: InitFlags): Partial<BackupRequest> | undefined {
  const given = (['tar', 'dir', 'restic', 'borg', 'pgdump'] as const).filter((flag) => flags[flag] !== undefined);
  if (given.length > 1) throw new UsageError(`init describes one backup: give one of --${given.join(', --')}`);
  const passwordEnv = flags.passwordEnv ?? flags.passphraseEnv;
  const passwordFile = flags.passwordFile ?? flags.passphraseFile;
  if (passwordEnv !== undefined && passwordFile !== undefined) throw new UsageError('give --password-env or --password-file, not both');
  const flag = given[0];
  if (flag === undefined) return undefined;
  const kind: BackupKind = flag === 'dir' ? 'directory' : flag;
  if ((passwordEnv !== undefined || passwordFile !== undefined) && kind !== 'restic' && kind !== 'borg') {
    throw new UsageError(`--password-env and --password-file are for --restic and --borg repositories, not --${flag}`);
  }
  if (flags.database !== undefined && kind !== 'pgdump') throw new UsageError(`--database is for --pgdump, not --${flag}`);
  return { kind, location: flags[flag], passwordEnv, passwordFile, database: flags.database };
}
