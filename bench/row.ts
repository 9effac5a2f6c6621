/** A row of the bench's table: restore-drill against the best plain pipeline, the ratio beside its target. */
export interface Row {
  name: string;
  ours: string;
  /** The best plain pipeline. */
  plain: string;
  ratio: number | undefined;
  target: string;
  met: boolean | undefined;
  /** `sha256sum -c`, the usual but slower plain tool, where a row verifies. */
  sha256sum?: string;
  /** Where the time goes, measured in the same run (for a row that misses, what is left and whose it is). */
  split?: string;
  note?: string;
}

export const MIB = 1024 * 1024;

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** A row whose ratio is ours / plain and whose target is at most `most`. */
export function atMost(name: string, oursMs: number, plainMs: number, most: number, rest: Omit<Row, 'name' | 'ratio' | 'target' | 'met' | 'ours' | 'plain'> & { ours?: string; plain: string }): Row {
  const ratio = oursMs / plainMs;
  return { name, ours: rest.ours ?? seconds(oursMs), ...rest, ratio, target: `<= ${most.toFixed(1)}x`, met: ratio <= most };
}

export function printTable(table: Row[]): void {
  process.stdout.write('\n| measure | restore-drill | best plain pipeline | ratio | target | met | sha256sum -c | where the time goes |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n');
  for (const row of table) {
    const met = row.met === undefined ? 'n/a' : row.met ? 'yes' : 'NO';
    const ratio = row.ratio === undefined ? '-' : row.ratio.toFixed(2);
    process.stdout.write(`| ${row.name} | ${row.ours} | ${row.plain} | ${ratio} | ${row.target} | ${met}${row.note ? ` (${row.note})` : ''} | ${row.sha256sum ?? '-'} | ${row.split ?? ''} |\n`);
  }
}
