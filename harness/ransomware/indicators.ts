/**
 * The names data file (indicators.yaml beside this file): known ransomware extensions and ransom-note
 * names. Users extend it with files of the same shape; entries are added, never removed.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseLimitedYaml, sizeProblem } from '../scenario/yaml-limits.ts';
import { z } from 'zod';
import { InfrastructureError, InputError, errorMessage } from '../errors.ts';

export const BUILT_IN_INDICATORS = fileURLToPath(new URL('./indicators.yaml', import.meta.url));

const fileSchema = z.strictObject({
  source: z.string().min(1, 'say where the names come from (an advisory, a write-up, your own incident)'),
  extensions: z.array(z.strictObject({ ext: z.string().regex(/^\.[^/\\]+$/, 'expected an extension starting with a dot, like .lockbit'), family: z.string().min(1) })).default([]),
  notes: z
    .array(
      z
        .strictObject({ name: z.string().min(1).optional(), pattern: z.string().min(1).optional(), family: z.string().min(1) })
        .refine((n) => (n.name === undefined) !== (n.pattern === undefined), 'expected exactly one of name or pattern'),
    )
    .default([]),
});

export interface NameIndicator {
  family: string;
  /** What matched, as written in the data file. */
  indicator: string;
  /** The data file it came from. */
  file: string;
}

export interface Indicators {
  files: { file: string; source: string }[];
  /** The file name matches a known ransomware extension or ransom-note name. */
  match(relative: string): (NameIndicator & { rule: 'name-extension' | 'ransom-note' }) | undefined;
}

interface Compiled {
  extensions: (NameIndicator & { ext: string })[];
  noteNames: Map<string, NameIndicator>;
  notePatterns: (NameIndicator & { re: RegExp })[];
}

export async function loadIndicators(extraFiles: string[] = []): Promise<Indicators> {
  const compiled: Compiled = { extensions: [], noteNames: new Map(), notePatterns: [] };
  const files: { file: string; source: string }[] = [];
  for (const file of [BUILT_IN_INDICATORS, ...extraFiles]) {
    const data = await readIndicatorFile(file);
    files.push({ file, source: data.source });
    for (const e of data.extensions) compiled.extensions.push({ ext: e.ext.toLowerCase(), family: e.family, indicator: e.ext, file });
    for (const n of data.notes) {
      if (n.name !== undefined) compiled.noteNames.set(n.name.toLowerCase(), { family: n.family, indicator: n.name, file });
      else {
        let re: RegExp;
        try {
          re = new RegExp(n.pattern!, 'i');
        } catch (err) {
          throw new InputError('INDICATORS_INVALID', `${file}: the note pattern ${n.pattern} is not a valid regular expression: ${errorMessage(err)}`);
        }
        compiled.notePatterns.push({ re, family: n.family, indicator: n.pattern!, file });
      }
    }
  }
  return {
    files,
    match(relative) {
      const base = relative.slice(relative.lastIndexOf('/') + 1);
      const lower = base.toLowerCase();
      const note = compiled.noteNames.get(lower) ?? compiled.notePatterns.find((p) => p.re.test(base));
      if (note) return { rule: 'ransom-note', family: note.family, indicator: note.indicator, file: note.file };
      const ext = compiled.extensions.find((e) => lower.endsWith(e.ext) && lower.length > e.ext.length);
      if (ext) return { rule: 'name-extension', family: ext.family, indicator: ext.indicator, file: ext.file };
      return undefined;
    },
  };
}

async function readIndicatorFile(file: string): Promise<z.infer<typeof fileSchema>> {
  const tooBig = await sizeProblem(file, 'indicators file');
  if (tooBig) throw new InputError('INDICATORS_INVALID', `The indicators file ${file} was not read: ${tooBig}`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError('INDICATORS_MISSING', `The indicators file ${file} could not be read: ${errorMessage(err)}. Check expect.ransomware.indicators in the scenario.`);
  }
  const parsed = parseLimitedYaml(text);
  if ('problem' in parsed) throw new InputError('INDICATORS_INVALID', `The indicators file ${file} is not valid YAML: ${parsed.problem}`);
  const result = fileSchema.safeParse(parsed.value ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
    throw new InputError('INDICATORS_INVALID', `The indicators file ${file} is not in the expected shape (source, extensions, notes): ${problems}`);
  }
  return result.data;
}
