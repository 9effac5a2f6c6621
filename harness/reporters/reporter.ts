/**
 * The reporter role: plugins on the drill event stream. Every hook is optional. Each reporter is
 * isolated per event: a throw is reported, and the reporter still gets every later event (a full disk
 * on one drill must not cost the evidence of every later drill).
 */
import type { DrillEvent, EventOf } from '../drill/events.ts';

/** Every reporter by name: the built-in ones (REPORTERS in index.ts) and the metrics file. */
export type ReporterName = 'console' | 'json' | 'result-json' | 'junit' | 'evidence' | 'html' | 'metrics' | 'notify';

export interface ReporterContext {
  /**
   * Announces a follow-on event (evidence:end), delivered to every reporter once the event at hand
   * has reached them all: how one reporter hands another what it made, without reading its files.
   */
  emit(event: DrillEvent): void;
}

export type Reporter = {
  readonly name: ReporterName;
} & {
  [K in DrillEvent['type']]?: (event: EventOf<K>, context: ReporterContext) => void | Promise<void>;
};

type Hook = (event: DrillEvent, context: ReporterContext) => void | Promise<void>;

export class ReporterMultiplexer {
  private readonly reporters: Reporter[];
  private readonly onReporterError: (reporter: ReporterName, err: unknown) => void;
  private readonly prepare: (event: DrillEvent) => DrillEvent;

  /** `prepare` turns each event, follow-ons included, into what reporters see (the run's secret redaction). */
  constructor(reporters: Reporter[], onReporterError: (reporter: ReporterName, err: unknown) => void, prepare: (event: DrillEvent) => DrillEvent = (event) => event) {
    this.reporters = reporters;
    this.onReporterError = onReporterError;
    this.prepare = prepare;
  }

  readonly emit = async (raw: DrillEvent): Promise<void> => {
    const event = this.prepare(raw);
    const followOns: DrillEvent[] = [];
    const context: ReporterContext = { emit: (next) => void followOns.push(next) };
    for (const reporter of this.reporters) {
      const hook = reporter[event.type] as Hook | undefined;
      if (!hook) continue;
      try {
        await hook.call(reporter, event, context);
      } catch (err) {
        this.onReporterError(reporter.name, err);
      }
    }
    for (const next of followOns) await this.emit(next);
  };
}
