/**
 * The JSON Schema of scenario files, for editors (`restore-drill schema`, scenarios/scenario.schema.json):
 * generated from the zod schema, the one source of truth. It describes what may be written (zod's input
 * side); the checks zod does in code (exactly one of two fields, durations, paths) stay with `validate`.
 */
import { z } from 'zod';
import { scenarioSchema } from './schema.ts';

/** The committed copy beside the bundled scenarios, which name it in their yaml-language-server line. */
export const SCHEMA_FILE_NAME = 'scenario.schema.json';

export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return { ...schema, title: 'restore-drill scenario', description: 'A restore drill: the backup, the sandbox, the restore, the checks and the RTO/RPO targets (see the README).' };
}

/** As written to scenario.schema.json and printed by `restore-drill schema`. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
