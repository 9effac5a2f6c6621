/** Reads a scenario file: YAML with positions kept, validated by the schema, errors as file:line:col field. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ScenarioError, type ScenarioProblem } from '../errors.ts';
import { scenarioSchema, type ScenarioSpec } from './schema.ts';
import { describeIssue } from './issues.ts';
import { documentProblems, sizeProblem, toPlain, YAML_OPTIONS, type YamlProblem } from './yaml-limits.ts';

export type FieldPath = readonly (string | number)[];

export interface Scenario {
  /** Absolute path of the scenario file. */
  readonly file: string;
  /** The path as the user knows it (relative to the working directory). */
  readonly displayPath: string;
  /** sha256 of the file's bytes, recorded in results. */
  readonly digest: string;
  readonly spec: ScenarioSpec;
  /** Resolves a path written in the scenario against the scenario's folder. */
  resolve(relative: string): string;
  /** A problem about a field, positioned at that field in the file. */
  problemAt(field: FieldPath, message: string, atKey?: boolean): ScenarioProblem;
}

export async function loadScenario(file: string): Promise<Scenario> {
  const absolute = path.resolve(file);
  const displayPath = path.relative(process.cwd(), absolute) || absolute;
  const tooBig = await sizeProblem(absolute);
  if (tooBig) throw new ScenarioError([{ file: displayPath, line: 1, column: 1, field: '', message: tooBig }]);
  let bytes: Buffer;
  try {
    bytes = await readFile(absolute);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(err);
    throw new ScenarioError([{ file: displayPath, line: 1, column: 1, field: '', message: `cannot read the scenario: ${reason}` }]);
  }
  return parseScenario(bytes.toString('utf8'), absolute, displayPath, digestOf(bytes));
}

export function parseScenario(text: string, absolute: string, displayPath = absolute, digest = digestOf(Buffer.from(text))): Scenario {
  const { data, problemAt } = parsePositioned(text, displayPath, scenarioSchema);
  const dir = path.dirname(absolute);
  return {
    file: absolute,
    displayPath,
    digest,
    spec: data,
    resolve: (relative) => path.resolve(dir, relative),
    problemAt,
  };
}

export type ProblemAt = (field: FieldPath, message: string, atKey?: boolean) => ScenarioProblem;

/**
 * A YAML file the harness reads (a scenario, a plan): parsed within the YAML limits, validated by the
 * schema, every problem a ScenarioError positioned at its field; problemAt positions later ones.
 */
export function parsePositioned<S extends z.ZodType>(text: string, displayPath: string, schema: S): { data: z.output<S>; problemAt: ProblemAt } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, ...YAML_OPTIONS });
  const at = (offset: number) => lineCounter.linePos(offset);
  const problemAt: ProblemAt = (field, message, atKey = false) => {
    const { line, col } = at(offsetOf(doc, field, atKey));
    return { file: displayPath, line, column: col, field: formatField(field), message };
  };

  const atOffset = (p: YamlProblem): ScenarioProblem => ({ file: displayPath, line: at(p.offset).line, column: at(p.offset).col, field: '', message: p.message });
  const yamlProblems = documentProblems(doc);
  if (yamlProblems.length > 0) throw new ScenarioError(yamlProblems.map(atOffset));
  const plain = toPlain(doc);
  if ('problem' in plain) throw new ScenarioError([atOffset(plain.problem)]);
  const parsed = schema.safeParse(plain.value ?? {}, { reportInput: true });
  if (!parsed.success) {
    throw new ScenarioError(parsed.error.issues.flatMap((issue) => problemsOf(issue, problemAt)));
  }
  return { data: parsed.data, problemAt };
}

function problemsOf(issue: z.core.$ZodIssue, problemAt: (f: FieldPath, m: string, atKey?: boolean) => ScenarioProblem): ScenarioProblem[] {
  const field = issue.path as (string | number)[];
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => problemAt([...field, key], `unknown field (check its spelling)`, true));
  }
  return [problemAt(field, describeIssue(issue))];
}

/** The source offset of the deepest node along the path that exists (the key for a missing leaf). */
function offsetOf(doc: Document, field: FieldPath, atKey: boolean): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (const key of field) {
    if (!isMap(node) && !(node && typeof node === 'object' && 'items' in node)) break;
    const items = (node as { items: unknown[] }).items;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
      if (!pair) break;
      offset = rangeStart(pair.key) ?? offset;
      if (atKey && key === field[field.length - 1]) break;
      node = pair.value;
      offset = rangeStart(node) ?? offset;
    } else {
      const item = typeof key === 'number' ? items[key] : undefined;
      if (item === undefined) break;
      node = item;
      offset = rangeStart(node) ?? offset;
    }
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range?.[0];
}

function formatField(field: FieldPath): string {
  return field.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${key}` : key), '');
}

export function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
