/**
 * Ctrl-C and SIGTERM abort the running drills, which then tear their sandboxes down; a second Ctrl-C
 * exits at once.
 */
export interface Interrupt {
  signal: AbortSignal;
  /** The exit code for the signal received, if any. */
  exitCode(): number | undefined;
  dispose(): void;
}

export function onInterrupt(log: (message: string) => void = (m) => process.stderr.write(m + '\n')): Interrupt {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (received) {
      log(`restore-drill: ${signal} again, exiting now; the next run removes what was left behind`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    received = signal;
    log(`restore-drill: ${signal} received, stopping the drills and removing their sandboxes ...`);
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    exitCode: () => (received === 'SIGINT' ? 130 : received === 'SIGTERM' ? 143 : undefined),
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
