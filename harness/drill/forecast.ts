/**
 * The RTO forecast for systems too large to restore in full every month (a 4 TB PACS): a scenario
 * restores a sample (some paths), the drill measures the restore throughput, and scales it up to the
 * point's full size as the backup tool reports it. Always marked as a forecast, never a measurement.
 */
export interface RtoForecast {
  /** Forecast recovery time of the full point: the full restore at the sample's throughput, plus the measured checks and readiness. */
  forecastMs: number;
  /** Whether the forecast is within the RTO target (absent without a target). */
  ok?: boolean;
  targetMs?: number;
  forecastRestoreMs: number;
  sampleBytes: number;
  sampleFiles: number;
  sampleRestoreMs: number;
  totalBytes: number;
  bytesPerSecond: number;
  samplePaths: string[];
  basis: string;
}

export interface ForecastInput {
  samplePaths: string[];
  sampleBytes: number;
  sampleFiles: number;
  /** Time the source's own restore of the sample took. */
  sampleRestoreMs: number;
  /** RTO of the sample drill (access, restore, steps, checks, readiness, and a declared access wait). */
  measuredRtoMs: number;
  totalBytes: number;
  targetMs?: number;
}

export const FORECAST_BASIS =
  'FORECAST, not measured: the sample restore throughput scaled to the restore point\'s full size, plus the measured time of the access steps, restore steps, checks and readiness, and any declared wait to reach the copy (access.wait)';

/** Undefined when the sample restored nothing or took no measurable time (no throughput to scale). */
export function forecastRto(input: ForecastInput): RtoForecast | undefined {
  if (input.sampleBytes <= 0 || input.sampleRestoreMs <= 0 || input.totalBytes <= 0) return undefined;
  const bytesPerSecond = (input.sampleBytes / input.sampleRestoreMs) * 1000;
  const forecastRestoreMs = (input.totalBytes / bytesPerSecond) * 1000;
  const rest = Math.max(0, input.measuredRtoMs - input.sampleRestoreMs);
  const forecastMs = Math.round(forecastRestoreMs + rest);
  return {
    forecastMs,
    ok: input.targetMs === undefined ? undefined : forecastMs <= input.targetMs,
    targetMs: input.targetMs,
    forecastRestoreMs: Math.round(forecastRestoreMs),
    sampleBytes: input.sampleBytes,
    sampleFiles: input.sampleFiles,
    sampleRestoreMs: Math.round(input.sampleRestoreMs),
    totalBytes: input.totalBytes,
    bytesPerSecond: Math.round(bytesPerSecond),
    samplePaths: input.samplePaths,
    basis: FORECAST_BASIS,
  };
}
