/**
 * The JSON Schema a written scenario names in its yaml-language-server line: the copy shipped with this
 * restore-drill (scenarios/scenario.schema.json, beside the bundled scenarios, in a checkout and in the
 * installed package alike), relative to the scenario when it is inside this copy, else absolute.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCHEMA_FILE_NAME } from '../scenario/json-schema.ts';

/** harness/init/ in a checkout, dist/init/ when installed: the package root is two folders up. */
const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function schemaReference(scenarioDir: string, root = PACKAGE_ROOT): string {
  const schema = path.join(root, 'scenarios', SCHEMA_FILE_NAME);
  const relative = path.relative(scenarioDir, schema);
  const inside = !path.relative(root, scenarioDir).startsWith('..');
  if (!inside) return schema;
  return relative.startsWith('.') ? relative : `./${relative}`;
}
