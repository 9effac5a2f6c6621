import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { SCHEMA_FILE_NAME, scenarioJsonSchema, scenarioJsonSchemaText } from '../../harness/scenario/json-schema.ts';
import { REPO, runCli } from '../helpers/cli.ts';

const SCENARIOS = path.join(REPO, 'scenarios');

describe('unit: the JSON Schema of scenario files (for editors)', function () {
  it('the committed scenarios/scenario.schema.json is the one generated from the zod schema (npm run schema rewrites it)', async () => {
    assert.equal(await readFile(path.join(SCENARIOS, SCHEMA_FILE_NAME), 'utf8'), scenarioJsonSchemaText());
  });

  it('describes the scenario fields: required ones, no others, the source kinds', () => {
    const schema = scenarioJsonSchema() as { properties: Record<string, { oneOf?: { properties: { kind: { const: string } } }[] }>; required: string[]; additionalProperties: boolean };
    assert.deepEqual(schema.required.sort(), ['name', 'source']);
    assert.equal(schema.additionalProperties, false);
    for (const field of ['sandbox', 'restore', 'targets', 'negative_control']) assert.ok(field in schema.properties, field);
    assert.deepEqual(schema.properties.source!.oneOf!.map((s) => s.properties.kind.const), ['directory', 'tar', 'restic', 'borg', 'pgdump']);
  });

  it('every bundled scenario names it on its first line and writes only fields it knows', async () => {
    const schema = scenarioJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    for (const name of (await readdir(SCENARIOS)).filter((f) => f.endsWith('.yaml'))) {
      const text = await readFile(path.join(SCENARIOS, name), 'utf8');
      assert.equal(text.split('\n')[0], `# yaml-language-server: $schema=./${SCHEMA_FILE_NAME}`, name);
      const fields = Object.keys(parse(text) as object);
      assert.deepEqual(fields.filter((f) => !(f in schema.properties)), [], `${name}: fields the schema lacks`);
      assert.deepEqual(schema.required.filter((f) => !fields.includes(f)), [], `${name}: required fields missing`);
    }
  });

  it('restore-drill schema prints it', async () => {
    const { code, stdout, stderr } = await runCli(['schema']);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, scenarioJsonSchemaText());
  });
});
