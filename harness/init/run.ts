/** init as the command runs it: the missing fields asked for (or named), the scenario written, a summary printed. */
import { onInterrupt } from '../cli/interrupt.ts';
import { EXIT } from '../drill/verdict.ts';
import { initScenario } from './init.ts';
import { completeRequest, terminalAsker } from './prompt.ts';
import type { InitDraft } from './request.ts';
import { escapeControls } from './scenario-text.ts';

export async function runInit(draft: InitDraft): Promise<number> {
  const asker = terminalAsker();
  const request = await completeRequest(draft, asker).finally(() => asker?.close());
  const interrupt = onInterrupt();
  try {
    const outcome = await initScenario(request, interrupt.signal);
    // a point id (an archive's name) may hold control characters: never a terminal escape
    for (const line of outcome.summary) process.stdout.write(`${escapeControls(line)}\n`);
    return interrupt.exitCode() ?? EXIT.PASS;
  } finally {
    interrupt.dispose();
  }
}
