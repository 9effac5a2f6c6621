/**
 * The scenario file init writes: YAML made with the yaml package's Document API, so that every section
 * carries the comment that says what it is and what to edit. Pure: the same draft gives the same text.
 */
import { Document, isMap, isScalar, type Pair, type Scalar, type YAMLMap } from 'yaml';

/** A top-level section: its value and the comment lines written above it. */
export interface Section {
  value: unknown;
  notes: string[];
  /** Written on one line ({ a: 1, b: 2 }). */
  flow?: boolean;
}

export interface ScenarioDraft {
  /** The JSON Schema's path or URL, for the yaml-language-server line. */
  schema: string;
  /** Comment lines at the top of the file, after the schema line. */
  header: string[];
  /** Top-level fields in the order written: name, source, sandbox, expect, targets. */
  sections: [key: string, section: Section][];
  /** Comments after a field's value (`rto: 4h  # ...`), by dotted path (targets.rto). */
  trailing?: Record<string, string>;
}

export function scenarioText(draft: ScenarioDraft): string {
  const doc = new Document(Object.fromEntries(draft.sections.map(([key, section]) => [key, section.value])));
  doc.commentBefore = commentOf([`yaml-language-server: $schema=${draft.schema}`, ...draft.header]);
  const root = doc.contents as YAMLMap;
  for (const [index, [key, section]] of draft.sections.entries()) {
    const pair = pairOf(root, key);
    if (section.notes.length > 0) pair.key.commentBefore = commentOf(section.notes);
    if (index > 0) pair.key.spaceBefore = true;
    if (section.flow && isMap(pair.value)) pair.value.flow = true;
  }
  for (const [field, comment] of Object.entries(draft.trailing ?? {})) {
    const node = doc.getIn(field.split('.'), true);
    if (isScalar(node)) node.comment = commentOf([comment]);
  }
  return doc.toString({ lineWidth: 0 });
}

function pairOf(map: YAMLMap, key: string): Pair<Scalar, unknown> {
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
  if (!pair) throw new Error(`no ${key} in the scenario draft`);
  return pair as Pair<Scalar, unknown>;
}

/**
 * Comment lines as the yaml package wants them: each line is written after a '#'. Control characters
 * and line breaks (a hostile archive name in a point id) are written escaped, so that a comment stays
 * one line of text and never reaches a terminal as an escape sequence.
 */
function commentOf(lines: string[]): string {
  return lines.map((line) => (line === '' ? '' : ` ${escapeControls(line)}`)).join('\n');
}

export function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
