/** The scenario's restore steps, run in the sandbox after the source restored, each under its timeout. */
import { BackupError } from '../errors.ts';
import type { Scenario } from '../scenario/load.ts';
import type { Secrets } from '../scenario/secrets.ts';
import type { Sandbox } from '../sandboxes/sandbox.ts';
import { exitWords } from '../sandboxes/exit-words.ts';
import { formatDuration } from '../units.ts';

export async function runRestoreSteps(scenario: Scenario, sandbox: Sandbox, secrets: Secrets, signal: AbortSignal): Promise<void> {
  for (const step of scenario.spec.restore) {
    const result = await sandbox.exec(step.run, { timeoutMs: step.timeout, signal, env: secrets });
    if (result.timedOut) {
      throw new BackupError('RESTORE_STEP_TIMEOUT', `The restore step "${step.run}" did not finish within ${formatDuration(step.timeout)}: ${lastLines(result.stderr || result.stdout)}`);
    }
    if (result.exitCode !== 0) {
      throw new BackupError('RESTORE_STEP_FAILED', `The restore step "${step.run}" ${exitWords(result.exitCode, sandbox.driver, scenario.spec.sandbox)}: ${lastLines(result.stderr || result.stdout)}`);
    }
  }
}

function lastLines(text: string, count = 5): string {
  return text.trimEnd().split('\n').slice(-count).join(' | ') || '(no output)';
}
