/** The scenario's access field. */
import { z } from 'zod';
import { duration, timer } from './values.ts';

/**
 * Reaching an offline copy before the restore (drill/access.ts): a declared wait (tape recall, a
 * backup window) added to the RTO as declared, or host commands the operator wrote, run and timed.
 */
export const accessSchema = z.union([
  z.strictObject({ wait: duration, why: z.string().min(1, 'say why the wait is needed, e.g. tape recall from the off-site vault') }),
  z.strictObject({
    steps: z.array(z.strictObject({ run: z.string().min(1), timeout: timer.default(30 * 60_000) })).min(1),
    why: z.string().optional(),
  }),
], { error: 'expected { wait: <duration>, why: <text> } or { steps: [{ run: <host command>, timeout: <duration> }] }' });

export type AccessSpec = z.infer<typeof accessSchema>;
