/**
 * Ctrl-C, SIGTERM and SIGHUP (a closed terminal or ssh session) abort the running drills, which then
 * tear their sandboxes down; a second signal exits at once.
 */
export interface Interrupt {
  signal: AbortSignal;
  /** The exit code for the signal received, if any. */
  exitCode(): number | undefined;
  dispose(): void;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** 128 + the signal's number, as shells report a process ended by it. */
const EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

export function onInterrupt(log: (message: string) => void = (m) => process.stderr.write(m + '\n')): Interrupt {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (received) {
      log(`restore-drill: ${signal} again, exiting now; the next run removes what was left behind`);
      process.exit(EXIT_CODES[signal] ?? 143);
    }
    received = signal;
    // After a hang-up the terminal is gone: writing to it fails, and that must not stop the teardown.
    if (signal === 'SIGHUP') for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
    log(`restore-drill: ${signal} received, stopping the drills and removing their sandboxes ...`);
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  for (const signal of SIGNALS) process.on(signal, handler);
  return {
    signal: controller.signal,
    exitCode: () => (received ? EXIT_CODES[received] : undefined),
    dispose: () => {
      for (const signal of SIGNALS) process.off(signal, handler);
    },
  };
}
