/**
 * Secrets named by a scenario, read from the environment or a file before anything starts.
 * Their values go only to the commands that need them; logs and results blot them out.
 */
import { readFile } from 'node:fs/promises';
import { MissingSecretError } from '../errors.ts';
import type { Scenario } from './load.ts';

export type Secrets = Record<string, string>;

export async function resolveSecrets(scenario: Scenario, env: NodeJS.ProcessEnv = process.env): Promise<Secrets> {
  const secrets: Secrets = {};
  for (const [name, ref] of Object.entries(scenario.spec.secrets)) {
    const at = scenario.problemAt(['secrets', name], '', true);
    const where = `${at.file}:${at.line}:${at.column} secrets.${name}:`;
    if (ref.env !== undefined) {
      const value = env[ref.env];
      if (value === undefined || value === '') {
        throw new MissingSecretError(`${where} the environment variable ${ref.env}`, `Set it before running the drill (for example: export ${ref.env}=...), or point secrets.${name}.file at a file that holds it.`);
      }
      secrets[name] = value;
    } else {
      const file = scenario.resolve(ref.file!);
      try {
        secrets[name] = (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
      } catch {
        throw new MissingSecretError(`${where} the secret file ${file}`, 'Create it (readable only by the drill user, chmod 600) or fix secrets.' + name + '.file.');
      }
    }
  }
  return secrets;
}
