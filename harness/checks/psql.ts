/** Runs a query with the database's own client (psql) inside the sandbox and reads its rows. */
import { InfrastructureError } from '../errors.ts';
import type { Sandbox } from '../sandboxes/sandbox.ts';
import { shellCommand } from '../shell.ts';

export interface QueryTarget {
  database: string;
  user: string;
  timeoutMs: number;
  signal: AbortSignal;
}

export type QueryOutcome =
  | { ok: true; rows: string[][]; command: string }
  | { ok: false; message: string; command: string };

/**
 * Rows as tab-separated text (psql -A -t), NULL as an empty field. A failed query (a missing table,
 * a syntax error) is an outcome the check judges; a server that cannot be reached is an infrastructure error.
 */
export async function runQuery(sandbox: Sandbox, query: string, target: QueryTarget): Promise<QueryOutcome> {
  const command = `${shellCommand(['psql', '-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-U', target.user, '-d', target.database])} -F "$(printf '\\t')" -c ${shellCommand([query])}`;
  const result = await sandbox.exec(command, { timeoutMs: target.timeoutMs, signal: target.signal });
  if (result.timedOut) return { ok: false, message: `the query did not answer within ${Math.round(target.timeoutMs / 1000)}s`, command };
  if (result.exitCode === 127) {
    throw new InfrastructureError('SQL_CLIENT_MISSING', 'psql is not installed in the sandbox: sql and canary checks need a PostgreSQL sandbox image (restore-drill/postgres).');
  }
  if (result.exitCode === 2 || /could not connect|connection to server .* failed/i.test(result.stderr)) {
    throw new InfrastructureError('DATABASE_UNREACHABLE', `psql could not reach the database ${target.database} in the sandbox: ${result.stderr.trim().split('\n').slice(-2).join(' | ')}`);
  }
  if (result.exitCode !== 0) return { ok: false, message: `the query failed: ${result.stderr.trim().split('\n').slice(-3).join(' | ') || `exit ${result.exitCode}`}`, command };
  const text = result.stdout.replace(/\n$/, '');
  const rows = text === '' ? [] : text.split('\n').map((line) => line.split('\t'));
  return { ok: true, rows, command };
}
