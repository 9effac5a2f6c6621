/**
 * What a backup tool (restic, borg) printed on failure, cut down to the lines that say what went wrong:
 * consequences (times and owners that could not be set on files that were never written) and retries
 * are dropped when a cause is there, repeated lines are shown once, and a Go panic is one line, never
 * its goroutine trace.
 */

/** Lines that follow from an earlier error rather than say one. */
const CONSEQUENCE = /: (UtimesNano|Lchown|Lchmod|Chmod|Chown|Lutimes)\b.*(no such file or directory|operation not permitted)|returned error, retrying after /;
const SUMMARY = /^Fatal: There were \d+ errors$/;

export interface ToolFailure {
  /** The meaningful lines, joined with " | ". */
  said: string;
  /** The panic line when the tool crashed. */
  panic?: string;
}

export function readToolFailure(output: string, count = 3): ToolFailure {
  const lines = output.split('\n').map((line) => line.trimEnd()).filter(Boolean);
  const panic = lines.find((line) => /^panic: /.test(line)) ?? (lines.some((line) => /^goroutine \d+ \[/.test(line)) ? lines[0] : undefined);
  if (panic) return { said: panic, panic };
  const causes = lines.filter((line) => !CONSEQUENCE.test(line) && !SUMMARY.test(line) && !/^restoring <Snapshot /.test(line));
  const chosen = unique(causes.length > 0 ? causes : lines.filter((line) => !SUMMARY.test(line)));
  const summary = lines.find((line) => SUMMARY.test(line));
  const shown = chosen.slice(0, count);
  if (chosen.length > count) shown.push(`(${chosen.length - count} more)`);
  if (summary) shown.push(summary);
  return { said: shown.join(' | ') || '(no output)' };
}

/** Lines once each, comparing them without their file paths (one error for many files reads once). */
function unique(lines: string[]): string[] {
  const seen = new Set<string>();
  return lines.filter((line) => {
    const key = line.replace(/^ignoring error for [^:]*: /, '');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
