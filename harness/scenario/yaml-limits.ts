/**
 * Limits on what a YAML file the harness reads may do, so that a hostile or careless file gets a
 * positioned problem instead of an exception or an exhausted memory: a size cap read before the file
 * is, aliases that must name an anchor and may not expand without bound, and only the core tags.
 */
import { stat } from 'node:fs/promises';
import { isAlias, LineCounter, parseDocument, visit, type Document, type DocumentOptions, type ParseOptions, type SchemaOptions } from 'yaml';
import { formatBytes } from '../units.ts';

/** Scenarios are a few kilobytes; 1 MiB leaves room for long descriptions and many checks. */
export const MAX_YAML_BYTES = 1024 * 1024;
/** How many values aliases may copy in all (the yaml package counts the nodes each alias stands for). */
export const MAX_ALIAS_COUNT = 100;

/** Parse options: duplicate keys refused, and the YAML 1.1 tags (!!binary, !!set, ...) left unresolved. */
export const YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = { prettyErrors: false, uniqueKeys: true, resolveKnownTags: false };

export interface YamlProblem {
  /** Offset in the text. */
  offset: number;
  message: string;
}

/** A reason to refuse the file without reading it, or undefined when its size is within the cap. */
export async function sizeProblem(file: string, what = 'scenario file'): Promise<string | undefined> {
  const info = await stat(file).catch(() => undefined);
  if (!info || info.size <= MAX_YAML_BYTES) return undefined;
  return `the ${what} is ${formatBytes(info.size)}; a ${what} may be at most ${formatBytes(MAX_YAML_BYTES).replace('.0 ', ' ')}. Is it the right file?`;
}

/** Syntax errors, unknown tags and undefined aliases, each at its offset. */
export function documentProblems(doc: Document): YamlProblem[] {
  const problems: YamlProblem[] = doc.errors.map((e) => ({ offset: e.pos[0], message: `YAML: ${firstLine(e.message)}` }));
  for (const warning of doc.warnings) {
    if (warning.code !== 'TAG_RESOLVE_FAILED') continue;
    const tag = (/Unresolved tag: (\S+)/.exec(warning.message)?.[1] ?? '').replace('tag:yaml.org,2002:', '!!');
    problems.push({
      offset: warning.pos[0],
      message: `YAML: the tag ${tag} is not allowed: a scenario uses plain YAML values (only the core tags !!str, !!int, !!float, !!bool, !!null, !!map, !!seq)`,
    });
  }
  visit(doc, {
    Alias(_, alias) {
      if (alias.resolve(doc) === undefined) {
        problems.push({ offset: alias.range?.[0] ?? 0, message: `YAML: the alias *${alias.source} names no anchor (&${alias.source}) defined before it` });
      }
    },
  });
  return problems;
}

/** The document as plain values, or the problem that aliases expand too much (a "billion laughs"). */
export function toPlain(doc: Document): { value: unknown } | { problem: YamlProblem } {
  try {
    return { value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (err) {
    if (!(err instanceof ReferenceError)) throw err;
    return {
      problem: {
        offset: firstAliasOffset(doc),
        message: `YAML: the aliases expand to more than ${MAX_ALIAS_COUNT} copied values (an alias of aliases of aliases...); write the values out instead`,
      },
    };
  }
}

/**
 * A YAML file other than a scenario (an indicators list, a config file) read with the same limits:
 * its plain value, or the first problem as "line L, column C: message".
 */
export function parseLimitedYaml(text: string): { value: unknown } | { problem: string } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, ...YAML_OPTIONS });
  const positioned = (p: YamlProblem): string => {
    const { line, col } = lineCounter.linePos(p.offset);
    return `line ${line}, column ${col}: ${p.message}`;
  };
  const [first] = documentProblems(doc);
  if (first) return { problem: positioned(first) };
  const plain = toPlain(doc);
  return 'problem' in plain ? { problem: positioned(plain.problem) } : plain;
}

function firstAliasOffset(doc: Document): number {
  let offset: number | undefined;
  visit(doc, (_, node) => {
    if (isAlias(node)) {
      offset = node.range?.[0];
      return visit.BREAK;
    }
    return undefined;
  });
  return offset ?? 0;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
