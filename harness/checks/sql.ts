/**
 * sql: a query run with the database's own client inside the sandbox, and what it must return:
 * a single value judged by a comparison (expect: ">= 1000"), a set of rows (rows:), or a file of
 * expected rows (rows_file:, tab-separated), shown as a unified diff when they differ.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InfrastructureError, InputError } from '../errors.ts';
import type { SqlCheckSpec } from '../scenario/schema.ts';
import { checkResult, type Check, type CheckContext, type CheckDetailsOf, type CheckResultOf, type Finding } from './check.ts';
import { judge } from './compare.ts';
import { runQuery } from './psql.ts';
import { unifiedDiff } from './unified-diff.ts';

export class SqlCheck implements Check<'sql'> {
  readonly kind = 'sql';
  readonly phase = 'verify';
  readonly name: string;
  private readonly spec: SqlCheckSpec;
  private readonly database: string;
  /** The rows_file, resolved against the scenario. */
  private readonly rowsFile?: string;

  constructor(spec: SqlCheckSpec, options: { database: string; rowsFile?: string }) {
    this.spec = spec;
    this.database = spec.database ?? options.database;
    this.rowsFile = options.rowsFile;
    this.name = spec.name ?? spec.query;
  }

  async run(context: CheckContext): Promise<CheckResultOf<'sql'>> {
    const started = context.clock.monotonic();
    const outcome = await runQuery(context.sandbox, this.spec.query, {
      database: this.database,
      user: this.spec.user,
      timeoutMs: this.spec.timeout,
      signal: context.signal,
    });
    let findings: Finding[];
    const details: CheckDetailsOf['sql'] = { database: this.database, query: this.spec.query };
    if (!outcome.ok) {
      findings = [{ rule: 'query', message: outcome.message }];
    } else {
      details.rows = outcome.rows.length;
      findings = await this.judgeRows(outcome.rows, details);
    }
    return checkResult(this, context.clock, { findings, passed: this.passed(outcome.ok ? outcome.rows : []), startedAt: started, details });
  }

  private passed(rows: string[][]): string {
    if (this.spec.expect !== undefined) return `returned ${rows[0]?.[0] ?? ''}, as expected (${String(this.spec.expect)})`;
    return `returned the ${rows.length} expected row${rows.length === 1 ? '' : 's'}`;
  }

  private async judgeRows(rows: string[][], details: CheckDetailsOf['sql']): Promise<Finding[]> {
    if (this.spec.expect !== undefined) {
      if (rows.length !== 1 || rows[0]!.length !== 1) {
        return [{ rule: 'shape', message: `expected one value, the query returned ${rows.length} row${rows.length === 1 ? '' : 's'}${rows[0] ? ` of ${rows[0].length} column${rows[0].length === 1 ? '' : 's'}` : ''}`, expected: this.spec.expect, actual: rows.slice(0, 5) }];
      }
      const value = rows[0]![0]!;
      const verdict = judge(value, this.spec.expect);
      details.value = value;
      return verdict.ok ? [] : [{ rule: 'value', message: `returned ${verdict.message}`, expected: this.spec.expect, actual: value }];
    }
    const expectedLines = this.spec.rows !== undefined ? this.spec.rows.map(rowText) : await this.readRowsFile();
    const actualLines = rows.map((row) => row.join('\t'));
    const [expected, actual] = this.spec.ordered ? [expectedLines, actualLines] : [[...expectedLines].sort(), [...actualLines].sort()];
    if (expected.length === actual.length && expected.every((line, i) => line === actual[i])) return [];
    const missing = expected.filter((line) => !actual.includes(line)).length;
    const unexpected = actual.filter((line) => !expected.includes(line)).length;
    const source = this.rowsFile ? path.basename(this.rowsFile) : 'expected rows';
    const diff = unifiedDiff(source, 'query result', toText(expected), toText(actual));
    details.diff = diff;
    const what = missing + unexpected > 0 ? `${missing} expected row${missing === 1 ? '' : 's'} missing, ${unexpected} unexpected` : 'the rows are in another order';
    return [{ rule: 'rows', message: `the rows differ from ${source}: ${what}`, expected: expected.length, actual: actual.length }];
  }

  private async readRowsFile(): Promise<string[]> {
    try {
      const text = await readFile(this.rowsFile!, 'utf8');
      return text.replace(/\r?\n$/, '').split(/\r?\n/).filter((line, i, all) => line !== '' || i < all.length - 1);
    } catch {
      throw new InputError('EXPECTED_ROWS_MISSING', `The expected rows file ${this.rowsFile} (expect.sql rows_file) cannot be read.`);
    }
  }
}

function rowText(row: unknown): string {
  const cells = Array.isArray(row) ? row : [row];
  return cells.map((cell) => (cell === null ? '' : cell === true ? 't' : cell === false ? 'f' : String(cell))).join('\t');
}

function toText(lines: string[]): string {
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}
