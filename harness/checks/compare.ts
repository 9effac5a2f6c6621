/** Judges a value as scenarios write expectations: "= 1200", ">= 1000", "!= 0", "< 5", or a plain value it must equal. */
export type Expected = string | number | boolean;

export interface Judgement {
  ok: boolean;
  /** "1187, expected >= 1200" */
  message: string;
}

const OPERATOR_RE = /^(==|=|!=|>=|<=|>|<)\s*(.*)$/s;

export function judge(actual: unknown, expected: Expected): Judgement {
  const shown = show(actual);
  if (typeof expected === 'string') {
    const match = OPERATOR_RE.exec(expected.trim());
    if (match) {
      const [, op, wanted] = match as unknown as [string, string, string];
      const a = Number(actual);
      const b = Number(wanted);
      const numeric = actual !== null && actual !== '' && !Number.isNaN(a) && wanted !== '' && !Number.isNaN(b);
      const ok = numeric ? compareNumbers(a, op, b) : compareText(String(actual ?? ''), op, wanted);
      return { ok, message: `${shown}, expected ${op} ${wanted}` };
    }
  }
  const ok = typeof expected === 'number' && actual !== null && actual !== '' ? Number(actual) === expected : String(actual) === String(expected);
  return { ok, message: `${shown}, expected ${show(expected)}` };
}

function compareNumbers(a: number, op: string, b: number): boolean {
  switch (op) {
    case '=':
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '>=':
      return a >= b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a < b;
  }
}

function compareText(a: string, op: string, b: string): boolean {
  if (op === '=' || op === '==') return a === b;
  if (op === '!=') return a !== b;
  return false;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
