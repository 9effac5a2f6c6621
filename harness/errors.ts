/**
 * Typed errors. Each has a stable `code` and a message that tells a hospital IT person what to do next.
 * `kind` decides the verdict a drill gets when the error ends it:
 *  - "backup": the backup itself did not restore (FAIL),
 *  - "infrastructure": the harness, the host or the sandbox failed (ERROR),
 *  - "input": the scenario or the command line is wrong (exit 64/65, no drill runs).
 */
export type ErrorKind = 'backup' | 'infrastructure' | 'input';

export class DrillError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  constructor(code: string, kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.kind = kind;
  }
}

/** A scenario file that cannot be used: names the file, line, column and field. */
export class ScenarioError extends DrillError {
  readonly problems: ScenarioProblem[];
  constructor(problems: ScenarioProblem[]) {
    super('SCENARIO_INVALID', 'input', problems.map(formatProblem).join('\n'));
    this.problems = problems;
  }
}

export interface ScenarioProblem {
  file: string;
  line: number;
  column: number;
  field: string;
  message: string;
}

export function formatProblem(p: ScenarioProblem): string {
  const where = `${p.file}:${p.line}:${p.column}`;
  return p.field ? `${where} ${p.field}: ${p.message}` : `${where} ${p.message}`;
}

/** Wrong command-line usage (exit 64). */
export class UsageError extends DrillError {
  constructor(message: string) {
    super('USAGE', 'input', message);
  }
}

/** A secret named by the scenario is not available. Checked before anything starts. */
export class MissingSecretError extends DrillError {
  constructor(what: string, hint: string) {
    super('SECRET_MISSING', 'infrastructure', `${what} is not available. ${hint}`);
  }
}

/** A secret too short to be blotted out of outputs safely. Refused before anything starts (like a missing one: exit 3). */
export class SecretTooShortError extends DrillError {
  constructor(what: string, length: number, minimum: number) {
    super(
      'SECRET_TOO_SHORT',
      'infrastructure',
      `${what} is only ${length} characters long; restore-drill needs at least ${minimum}, because a shorter value turns up by chance in ordinary output and cannot be blotted out of logs and reports safely. Use a longer secret (change it where it is used, too).`,
    );
  }
}

/** The backup could not be read or restored: the backup is at fault. */
export class BackupError extends DrillError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, 'backup', message, options);
  }
}

/** The sandbox, the host or a tool failed: not the backup's fault. */
export class InfrastructureError extends DrillError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, 'infrastructure', message, options);
  }
}

/** The run was interrupted (Ctrl-C, SIGTERM). */
export class InterruptedError extends DrillError {
  constructor(reason = 'the drill was interrupted') {
    super('INTERRUPTED', 'infrastructure', reason);
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The evidence signing key or its configuration cannot be used (like a missing secret: exit 3). */
export class KeyError extends DrillError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, 'infrastructure', message, options);
  }
}
