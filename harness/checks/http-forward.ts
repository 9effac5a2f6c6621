/**
 * An http check against a virtual machine: the request goes from this host to the guest port's
 * forward on 127.0.0.1 (the guest is asked nothing, its own tools are not trusted), with the URL's
 * host name kept in the Host header.
 */
import type { HttpCheckSpec } from '../scenario/schema.ts';
import type { Sandbox } from '../sandboxes/sandbox.ts';

export interface ForwardedAnswer {
  status?: number;
  body: string;
  error?: string;
}

const BODY_KEPT = 1024 * 1024;

/** Undefined when the sandbox has no forwards (the request is then made inside the sandbox). */
export async function requestThroughForward(spec: HttpCheckSpec, sandbox: Sandbox, signal: AbortSignal): Promise<ForwardedAnswer | undefined> {
  if (!sandbox.hostAddress) return undefined;
  const url = new URL(spec.url);
  const guestPort = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const address = sandbox.hostAddress(guestPort);
  if (!address) return { body: '', error: `guest port ${guestPort} is not forwarded: add it to sandbox.vm.forward` };
  const target = new URL(url);
  target.hostname = address.host;
  target.port = String(address.port);
  try {
    const response = await fetch(target, {
      method: spec.method,
      headers: { host: url.host },
      redirect: 'manual',
      signal: AbortSignal.any([signal, AbortSignal.timeout(spec.timeout)]),
    });
    const body = spec.method === 'HEAD' ? '' : (await response.text()).slice(0, BODY_KEPT);
    return { status: response.status, body };
  } catch (err) {
    signal.throwIfAborted();
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    return { body: '', error: cause ?? (err as Error).message };
  }
}
