/**
 * Where the redactor stands for `restore-drill run`: built before any drill from every declared secret
 * and source password of the scenarios, it wraps the event stream (so every reporter, result.json and
 * the evidence that binds it get redacted data), the sandboxes' logs, and the errors the CLI prints.
 */
import { MissingSecretError } from '../errors.ts';
import type { Scenario } from '../scenario/load.ts';
import { resolveSecret } from '../scenario/secrets.ts';
import type { SandboxDriver } from '../sandboxes/sandbox.ts';
import { passwordRefs } from '../sources/index.ts';
import { readPassword } from '../sources/password.ts';
import { Redactor } from './redactor.ts';

/**
 * Every secret value the scenarios name. A value too short to blot out is refused here, before any
 * drill; a missing one is left to its drill, which ends in ERROR naming it.
 */
export async function redactorFor(scenarios: Scenario[], env: NodeJS.ProcessEnv = process.env): Promise<Redactor> {
  const redactor = new Redactor();
  for (const scenario of scenarios) {
    for (const [name, ref] of Object.entries(scenario.spec.secrets)) {
      const value = await unlessMissing(resolveSecret(scenario, name, ref, env));
      if (value !== undefined) redactor.add(name, value);
    }
    for (const ref of passwordRefs(scenario)) {
      const value = await unlessMissing(readPassword(ref, env));
      if (value !== undefined) redactor.add(ref.field, value);
    }
  }
  return redactor;
}

/** The driver, with every sandbox it provisions redacting its logs with this redactor. */
export function redactingDriver(driver: SandboxDriver, redactor: Redactor): SandboxDriver {
  return {
    name: driver.name,
    available: () => driver.available(),
    removeLeftovers: () => driver.removeLeftovers(),
    provision: (request) => driver.provision({ ...request, redactor }),
    ...(driver.planNetwork ? { planNetwork: (runId: string, plan: string) => driver.planNetwork!(runId, plan) } : {}),
  };
}

/**
 * A command that reads a scenario's backup without drilling it (points, evidence points): what it
 * prints goes through `redact`, and an error it throws comes out redacted, as a drill's would.
 */
export async function withRedaction<T>(scenarios: Scenario[], body: (redact: (text: string) => string) => Promise<T>): Promise<T> {
  const redactor = await redactorFor(scenarios);
  try {
    return await body((text) => redactor.text(text));
  } catch (err) {
    throw redactor.error(err);
  }
}

async function unlessMissing(value: Promise<string | undefined>): Promise<string | undefined> {
  try {
    return await value;
  } catch (err) {
    if (err instanceof MissingSecretError) return undefined;
    throw err;
  }
}
