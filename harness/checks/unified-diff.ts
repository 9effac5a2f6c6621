/** Unified diffs for reports (the `diff` package), capped so that a huge difference stays readable. */
import { createTwoFilesPatch } from 'diff';

const MAX_LINES = 200;

export function unifiedDiff(expectedName: string, actualName: string, expected: string, actual: string): string {
  const patch = createTwoFilesPatch(expectedName, actualName, expected, actual, 'expected', 'restored', { context: 3 });
  const lines = patch.split('\n').filter((line) => !line.startsWith('====='));
  if (lines.length <= MAX_LINES) return lines.join('\n').trimEnd();
  return [...lines.slice(0, MAX_LINES), `... ${lines.length - MAX_LINES} more diff lines (see the files)`].join('\n');
}
