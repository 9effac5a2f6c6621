/**
 * The notify reporter: when a drill ends in anything but PASS, its summary goes to every webhook.
 * It runs before the other reporters on drill:end, so a notification that could not be sent is a
 * note in the result.json they write (and a warning on stderr), never a change of the verdict.
 */
import type { Reporter } from '../reporters/reporter.ts';
import type { Redactor } from '../secrets/redactor.ts';
import { drillSummary, messageBody, type Summary } from './message.ts';
import { DEFAULT_POLICY, postMessage, type PostPolicy } from './post.ts';
import type { NotifyTarget } from './target.ts';

export interface NotifyOptions {
  targets: NotifyTarget[];
  /** Every message passes through it before it leaves the host. */
  redactor: Redactor;
  policy?: PostPolicy;
  warn?: (line: string) => void;
}

export function notifyReporter(options: NotifyOptions): Reporter {
  // Each event reaches the reporters as its own (redacted) copy: run:end's results get the notes again.
  const notesOf = new Map<string, string[]>();
  return {
    name: 'notify',
    'drill:end': async ({ result }) => {
      if (result.verdict === 'PASS') return;
      const failures = await notifyAll(drillSummary(result), options);
      result.notes.push(...failures);
      if (failures.length > 0) notesOf.set(result.runId, failures);
    },
    'run:end': ({ results }) => {
      for (const result of results) {
        for (const note of notesOf.get(result.runId) ?? []) if (!result.notes.includes(note)) result.notes.push(note);
      }
    },
  };
}

/** Sends the summary to every target at once; one line per target it could not reach (also warned). */
export async function notifyAll(summary: Summary, options: NotifyOptions): Promise<string[]> {
  const warn = options.warn ?? ((line: string) => void process.stderr.write(line + '\n'));
  const sent = await Promise.all(
    options.targets.map(async (target) => {
      const outcome = await postMessage(target, options.redactor.value(messageBody(target.format, summary)), options.policy ?? DEFAULT_POLICY);
      if (outcome.ok) return undefined;
      const line = `the notification to ${target.shown} was not sent (${outcome.reason}, ${outcome.attempts} attempt${outcome.attempts === 1 ? '' : 's'}); the verdict is not changed by it`;
      warn(`restore-drill: warning: ${line}`);
      return line;
    }),
  );
  return sent.filter((line) => line !== undefined);
}
