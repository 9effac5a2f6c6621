/** Findings grouped by rule and by type or family: each names a capped sample of files and the count. */
import type { Finding } from '../checks/check.ts';

export const FILES_NAMED = 10;

export interface FileEvidence {
  path: string;
  [key: string]: unknown;
}

export interface FindingGroup {
  rule: string;
  /** The file type (pdf, text ...) or the ransomware family. */
  group: string;
  count: number;
  files: FileEvidence[];
}

/** What each rule says about its files: [one file, several files]. */
const RULE_WORDS: Record<string, [string, string]> = {
  'content-header': ['does not start with the header its type requires', 'do not start with the header their type requires'],
  'content-trailer': ['does not end the way its type requires', 'do not end the way their type requires'],
  'not-text': ['no longer holds text', 'no longer hold text'],
  entropy: ['holds near-random (encrypted-looking) data where its type cannot', 'hold near-random (encrypted-looking) data where their type cannot'],
  'name-extension': ['carries a known ransomware extension', 'carry a known ransomware extension'],
  'ransom-note': ['is named like a known ransom note', 'are named like known ransom notes'],
  'appended-extension': ['of a known type has this extension appended', 'of several known types have this same extension appended (mass renaming)'],
};

export class FindingGroups {
  private readonly groups = new Map<string, FindingGroup>();
  readonly filesNamed: number;

  constructor(filesNamed = FILES_NAMED) {
    this.filesNamed = filesNamed;
  }

  add(rule: string, group: string, file: string, evidence: Record<string, unknown>): void {
    const key = `${rule}\0${group}`;
    let found = this.groups.get(key);
    if (!found) this.groups.set(key, (found = { rule, group, count: 0, files: [] }));
    found.count++;
    if (found.files.length < this.filesNamed) found.files.push({ path: file, ...evidence });
  }

  /** A group whose files were counted elsewhere: the count, and the files named (capped here too). */
  addCounted(rule: string, group: string, count: number, files: FileEvidence[]): void {
    const key = `${rule}\0${group}`;
    const found = this.groups.get(key) ?? { rule, group, count: 0, files: [] };
    this.groups.set(key, found);
    found.count += count;
    for (const file of files) if (found.files.length < this.filesNamed) found.files.push(file);
  }

  get size(): number {
    return this.groups.size;
  }

  /** Files named by any finding (a file is counted once per rule that named it). */
  get fileCount(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.count;
    return n;
  }

  list(): FindingGroup[] {
    return [...this.groups.values()];
  }

  toFindings(): Finding[] {
    return this.list().map((g) => {
      const names = g.files.map((f) => f.path).join(', ');
      const more = g.count > g.files.length ? ` and ${g.count - g.files.length} more` : '';
      const first = g.files[0] as Record<string, unknown>;
      return {
        rule: g.rule,
        subject: g.group,
        message: `${g.count} ${g.group} file${g.count === 1 ? '' : 's'} ${wordsFor(g.rule, g.count)}: ${names}${more}`,
        expected: first.expected ?? first.indicator,
        actual: { count: g.count, files: g.files },
      };
    });
  }
}

function wordsFor(rule: string, count: number): string {
  const words = RULE_WORDS[rule];
  if (!words) return `break${count === 1 ? 's' : ''} rule ${rule}`;
  return count === 1 ? words[0] : words[1];
}
