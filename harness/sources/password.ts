/**
 * A backup repository's password, named by the scenario (password_env or password_file) and read
 * when it is needed. It reaches the backup tool only through its environment, never a command line,
 * and one too short to be blotted out of outputs is refused.
 */
import { readFile } from 'node:fs/promises';
import { MissingSecretError } from '../errors.ts';
import { refuseShortSecret } from '../secrets/redactor.ts';

export interface PasswordRef {
  /** Environment variable that holds the password. */
  env?: string;
  /** File that holds it (its first line is the password). */
  file?: string;
  /** What the scenario calls it, for messages: "source.password_env". */
  field: string;
  /** Where the scenario names it, "file:line:col", for messages. */
  at?: string;
}

export async function readPassword(ref: PasswordRef, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (ref.env !== undefined) {
    const value = env[ref.env];
    if (value === undefined || value === '') {
      throw new MissingSecretError(
        `The repository password (${ref.field}: the environment variable ${ref.env})`,
        `Set it before running the drill (export ${ref.env}=...), or use source.password_file.`,
      );
    }
    return refuseShortSecret(value, `${named(ref)}: the environment variable ${ref.env}`);
  }
  if (ref.file !== undefined) {
    let value: string;
    try {
      value = (await readFile(ref.file, 'utf8')).split(/\r?\n/)[0]!;
    } catch {
      throw new MissingSecretError(`The repository password file ${ref.file} (${ref.field})`, 'Create it (readable only by the drill user, chmod 600) or fix the path.');
    }
    return refuseShortSecret(value, `${named(ref)}: the password in ${ref.file}`);
  }
  return undefined;
}

function named(ref: PasswordRef): string {
  return ref.at ? `${ref.at} ${ref.field}` : ref.field;
}
