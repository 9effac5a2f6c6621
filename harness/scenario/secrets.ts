/**
 * Secrets named by a scenario, read from the environment or a file before anything starts.
 * Their values go only to the commands that need them; logs and results blot them out
 * (harness/secrets/redactor.ts), so a value too short to blot out is refused here.
 */
import { readFile } from 'node:fs/promises';
import { MissingSecretError } from '../errors.ts';
import { refuseShortSecret } from '../secrets/redactor.ts';
import type { SecretRef } from './schema.ts';
import type { Scenario } from './load.ts';

export type Secrets = Record<string, string>;

export async function resolveSecrets(scenario: Scenario, env: NodeJS.ProcessEnv = process.env): Promise<Secrets> {
  const secrets: Secrets = {};
  for (const [name, ref] of Object.entries(scenario.spec.secrets)) secrets[name] = await resolveSecret(scenario, name, ref, env);
  return secrets;
}

/** One declared secret's value: a MissingSecretError when it is not set, a SecretTooShortError when too short. */
export async function resolveSecret(scenario: Scenario, name: string, ref: SecretRef, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const at = scenario.problemAt(['secrets', name], '', true);
  const where = `${at.file}:${at.line}:${at.column} secrets.${name}:`;
  if (ref.env !== undefined) {
    const value = env[ref.env];
    if (value === undefined || value === '') {
      throw new MissingSecretError(`${where} the environment variable ${ref.env}`, `Set it before running the drill (for example: export ${ref.env}=...), or point secrets.${name}.file at a file that holds it.`);
    }
    return refuseShortSecret(value, `${where} the environment variable ${ref.env}`);
  }
  const file = scenario.resolve(ref.file!);
  let value: string;
  try {
    value = (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
  } catch {
    throw new MissingSecretError(`${where} the secret file ${file}`, 'Create it (readable only by the drill user, chmod 600) or fix secrets.' + name + '.file.');
  }
  return refuseShortSecret(value, `${where} the secret in ${file}`);
}
