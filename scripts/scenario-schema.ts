/**
 * `npm run schema`: writes scenarios/scenario.schema.json from the zod schema (harness/scenario/json-schema.ts).
 * Run it after changing harness/scenario/schema.ts; a test fails while the committed file differs.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { SCHEMA_FILE_NAME, scenarioJsonSchemaText } from '../harness/scenario/json-schema.ts';

const file = fileURLToPath(new URL(`../scenarios/${SCHEMA_FILE_NAME}`, import.meta.url));
await writeFile(file, scenarioJsonSchemaText());
process.stderr.write(`wrote ${file}\n`);
