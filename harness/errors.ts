/**
 * Typed errors. Each has a stable `code` and a message that tells a hospital IT person what to do next;
 * the code's row in error-codes.ts says whose fault it is, and so the verdict.
 */
import { kindOf, type CodeOf, type ErrorCode, type ErrorKind } from './error-codes.ts';

export type { ErrorCode, ErrorKind } from './error-codes.ts';

export class DrillError extends Error {
  readonly code: ErrorCode;
  /** From the one table (error-codes.ts): decides the verdict a drill gets when this error ends it. */
  readonly kind: ErrorKind;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.kind = kindOf(code);
  }
}

/** A scenario file that cannot be used: names the file, line, column and field. */
export class ScenarioError extends DrillError {
  readonly problems: ScenarioProblem[];
  constructor(problems: ScenarioProblem[]) {
    super('SCENARIO_INVALID', problems.map(formatProblem).join('\n'));
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
    super('USAGE', message);
  }
}

/** A secret named by the scenario is not available. Checked before anything starts. */
export class MissingSecretError extends DrillError {
  constructor(what: string, hint: string) {
    super('SECRET_MISSING', `${what} is not available. ${hint}`);
  }
}

/** A secret too short to be blotted out of outputs safely. Refused before anything starts (like a missing one: exit 3). */
export class SecretTooShortError extends DrillError {
  constructor(what: string, length: number, minimum: number) {
    super(
      'SECRET_TOO_SHORT',
      `${what} is only ${length} characters long; restore-drill needs at least ${minimum}, because a shorter value turns up by chance in ordinary output and cannot be blotted out of logs and reports safely. Use a longer secret (change it where it is used, too).`,
    );
  }
}

/** The backup could not be read or restored: the backup is at fault. */
export class BackupError extends DrillError {
  constructor(code: CodeOf<'backup'>, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A file the scenario names (a manifest, an expected copy, an indicators file) is missing or unusable. */
export class InputError extends DrillError {
  constructor(code: CodeOf<'input'>, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The sandbox, the host or a tool failed: not the backup's fault. */
export class InfrastructureError extends DrillError {
  constructor(code: CodeOf<'infrastructure'>, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The run was interrupted (Ctrl-C, SIGTERM). */
export class InterruptedError extends DrillError {
  constructor(reason = 'the drill was interrupted (Ctrl-C, SIGTERM or SIGHUP)') {
    super('INTERRUPTED', reason);
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The evidence signing key or its configuration cannot be used (like a missing secret: exit 3). */
export class KeyError extends DrillError {
  constructor(code: CodeOf<'infrastructure'>, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Any error as a DrillError: one not made by restore-drill's own code is a harness bug (UNEXPECTED). */
export function asDrillError(err: unknown): DrillError {
  if (err instanceof DrillError) return err;
  return new DrillError('UNEXPECTED', `Unexpected failure inside restore-drill (please report it with logs/): ${errorMessage(err)}`, { cause: err });
}
