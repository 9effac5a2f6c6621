/**
 * The reporter role: plugins on the drill event stream. Every hook is optional; a reporter that throws
 * is reported once and then left out, so one broken output never costs the others.
 */
import type { DrillEvent, EventOf } from '../drill/events.ts';

export type Reporter = {
  readonly name: string;
} & {
  [K in DrillEvent['type']]?: (event: EventOf<K>) => void | Promise<void>;
};

export class ReporterMultiplexer {
  private readonly reporters: Reporter[];
  private readonly failed = new Set<Reporter>();
  private readonly onReporterError: (reporter: string, err: unknown) => void;

  constructor(reporters: Reporter[], onReporterError: (reporter: string, err: unknown) => void) {
    this.reporters = reporters;
    this.onReporterError = onReporterError;
  }

  readonly emit = async (event: DrillEvent): Promise<void> => {
    for (const reporter of this.reporters) {
      if (this.failed.has(reporter)) continue;
      const hook = reporter[event.type] as ((e: DrillEvent) => void | Promise<void>) | undefined;
      if (!hook) continue;
      try {
        await hook.call(reporter, event);
      } catch (err) {
        this.failed.add(reporter);
        this.onReporterError(reporter.name, err);
      }
    }
  };
}
