/** The one place zod's issues become the sentences a scenario's author reads. */
import type { z } from 'zod';

const EXPECTED: Record<string, string> = {
  object: 'an object (a mapping)',
  array: 'a list',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
};

export function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.expected !== 'never') {
    const expected = EXPECTED[issue.expected] ?? issue.expected;
    if (issue.input === undefined) return `is required (expected ${expected})`;
    if (typeof issue.input === 'number' && Number.isNaN(issue.input)) return `got .nan, not a number`;
    return `expected ${expected}, got ${describeInput(issue.input)}`;
  }
  if (issue.code === 'invalid_value' && issue.values.length > 0) {
    return `expected one of: ${issue.values.map(String).join(', ')}`;
  }
  return issue.message;
}

/** What was written instead, by its kind: the value itself is never echoed (it may be a secret). */
function describeInput(input: unknown): string {
  if (input === null) return 'nothing (~)';
  if (Array.isArray(input)) return 'a list';
  if (input instanceof Date) return 'a date';
  if (typeof input === 'object') return 'a mapping';
  if (typeof input === 'boolean') return 'true or false';
  return `a ${typeof input}`;
}
