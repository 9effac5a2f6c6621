/**
 * Readiness checks only a machine answers: boot (the serial console shows a text before the deadline),
 * guest-agent (the agent answers a ping: the heartbeat), tcp (a guest port answers through the
 * restricted forward); screen is in screen.ts.
 * The first of them boots the machine, so the boot is inside the ready phase and the RTO.
 */
import type { BootCheckSpec, GuestAgentCheckSpec, TcpCheckSpec } from '../scenario/vm-schema.ts';
import { consoleTail } from '../sandboxes/vm/vm-sandbox.ts';
import { formatDuration } from '../units.ts';
import { checkResult, type Check, type CheckContext, type CheckResultOf, type Finding } from './check.ts';
import { screenshot, until, vmOf } from './machine-wait.ts';
import { forwardAnswers } from './tcp-forward.ts';
import { textMatcher } from './text-match.ts';

const LOG_LINES = 30;
/** Console lines after which a guest never comes up by itself: a kernel panic, an initramfs giving up. */
const STUCK = [/Kernel panic[^\n]*/, /Target filesystem doesn't have requested [^\n]*/, /ALERT! [^\n]*/, /No working init found[^\n]*/, /No bootable device[^\n]*/];

export class BootCheck implements Check<'boot'> {
  readonly kind = 'boot';
  readonly phase = 'ready';
  readonly name: string;
  private readonly spec: BootCheckSpec;

  constructor(spec: BootCheckSpec) {
    this.spec = spec;
    this.name = `the console shows ${spec.console}`;
  }

  async run(context: CheckContext): Promise<CheckResultOf<'boot'>> {
    const started = context.clock.monotonic();
    const vm = vmOf(context.sandbox, 'boot');
    const machine = await vm.machine();
    const matcher = textMatcher(this.spec.console);
    let why = `the console did not show ${this.spec.console} within ${formatDuration(this.spec.until)}`;
    const booted = await until(this.spec.until, context.signal, async () => {
      const text = consoleTail(await machine.serialText(), 100_000);
      if (matcher.test(text)) return true;
      const stuck = stuckLine(text);
      if (stuck) return (why = `the guest cannot come up: ${stuck}`), false;
      if (!machine.running()) return (why = `QEMU ended before the guest was up: ${machine.lastError()}`), false;
      const status = await machine.status({ timeoutMs: 5000, signal: context.signal }).catch(() => 'unknown');
      if (status === 'guest-panicked' || status === 'shutdown') return (why = `the guest stopped (${status}) before it was up`), false;
      return undefined;
    });
    const findings: Finding[] = booted ? [] : [{ rule: 'not-booted', message: why, expected: this.spec.console }];
    const screen = booted ? undefined : await screenshot(vm, machine, 'failed');
    const waitedMs = context.clock.monotonic() - started;
    return checkResult(this, context.clock, {
      findings,
      passed: `booted: the console showed ${this.spec.console} after ${formatDuration(waitedMs)} (${vm.accel.accel.toUpperCase()})`,
      startedAt: started,
      details: { console: this.spec.console, waitedMs, accel: vm.accel.accel, screenshot: screen },
      logTail: booted ? undefined : consoleTail(await machine.serialText(), LOG_LINES) || '(the serial console printed nothing)',
    });
  }
}

function stuckLine(text: string): string | undefined {
  for (const pattern of STUCK) {
    const found = pattern.exec(text);
    if (found) return found[0].trim();
  }
  return undefined;
}

export class GuestAgentCheck implements Check<'guest-agent'> {
  readonly kind = 'guest-agent';
  readonly phase = 'ready';
  readonly name = 'the guest agent answers';
  private readonly spec: GuestAgentCheckSpec;

  constructor(spec: GuestAgentCheckSpec) {
    this.spec = spec;
  }

  async run(context: CheckContext): Promise<CheckResultOf<'guest-agent'>> {
    const started = context.clock.monotonic();
    const vm = vmOf(context.sandbox, 'guest-agent');
    const machine = await vm.machine();
    let attempts = 0;
    let last = 'no answer';
    const answered = await until(this.spec.until, context.signal, async (left) => {
      attempts++;
      if (!machine.running()) return (last = `QEMU ended: ${machine.lastError()}`), false;
      try {
        const agent = await machine.guestAgent({ timeoutMs: Math.min(5000, left), signal: context.signal });
        await agent.ping({ timeoutMs: Math.min(5000, left), signal: context.signal });
        return true;
      } catch (err) {
        machine.dropAgent();
        last = (err as Error).message;
        return undefined;
      }
    });
    const findings: Finding[] = answered ? [] : [{ rule: 'no-answer', message: `the guest agent did not answer within ${formatDuration(this.spec.until)} (${last}): is qemu-guest-agent installed and enabled in the guest?` }];
    return checkResult(this, context.clock, {
      findings,
      passed: `answered guest-ping after ${formatDuration(context.clock.monotonic() - started)}`,
      startedAt: started,
      details: { attempts },
      logTail: answered ? undefined : (await vm.logTail(LOG_LINES)) || undefined,
    });
  }
}

export class TcpCheck implements Check<'tcp'> {
  readonly kind = 'tcp';
  readonly phase = 'ready';
  readonly name: string;
  private readonly spec: TcpCheckSpec;

  constructor(spec: TcpCheckSpec) {
    this.spec = spec;
    this.name = spec.name ?? `guest port ${spec.port} answers`;
  }

  async run(context: CheckContext): Promise<CheckResultOf<'tcp'>> {
    const started = context.clock.monotonic();
    const vm = vmOf(context.sandbox, 'tcp');
    const machine = await vm.machine();
    const address = vm.hostAddress(this.spec.port);
    const usernet = () => machine.usernet({ timeoutMs: 5000, signal: context.signal });
    let attempts = 0;
    const findings: Finding[] = [];
    if (!address) {
      findings.push({ rule: 'not-forwarded', message: `guest port ${this.spec.port} is not forwarded: add it to sandbox.vm.forward` });
    } else if (!(await until(this.spec.until, context.signal, async () => (attempts++, (await forwardAnswers(address.port, this.spec.port, usernet)) || undefined)))) {
      findings.push({ rule: 'no-answer', message: `guest port ${this.spec.port} did not answer within ${formatDuration(this.spec.until)}: nothing in the guest accepted a connection (is its network up, and the service listening?)` });
    }
    return checkResult(this, context.clock, {
      findings,
      passed: `answered through 127.0.0.1:${address?.port} after ${attempts} attempt${attempts === 1 ? '' : 's'}`,
      startedAt: started,
      details: { port: this.spec.port, hostPort: address?.port, attempts },
      logTail: findings.length === 0 ? undefined : (await vm.logTail(LOG_LINES)) || undefined,
    });
  }
}
