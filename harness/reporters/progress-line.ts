/**
 * The words of a progress line on a long restore or hash: `1234 files, 12.3 GiB of 200 GiB, 410 MiB/s,
 * 8 min left` where the total is known, `1234 files, 12.3 GiB, 410 MiB/s` where it is not (or when the
 * work outgrew a total that was only an estimate).
 */
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export interface ProgressFigures {
  files: number;
  bytes: number;
  totalBytes?: number;
}

export function formatProgress(figures: ProgressFigures, bytesPerSecond: number | undefined): string {
  const total = figures.totalBytes !== undefined && figures.totalBytes >= figures.bytes ? figures.totalBytes : undefined;
  const parts = [`${figures.files} file${figures.files === 1 ? '' : 's'}`, total === undefined ? formatSize(figures.bytes) : `${formatSize(figures.bytes)} of ${formatSize(total)}`];
  if (bytesPerSecond !== undefined && bytesPerSecond > 0) {
    parts.push(`${formatSize(bytesPerSecond)}/s`);
    if (total !== undefined) parts.push(formatTimeLeft(((total - figures.bytes) / bytesPerSecond) * 1000));
  }
  return parts.join(', ');
}

/** One decimal under 100 of a unit, whole numbers above: 1.5 KiB, 12.3 GiB, 200 GiB. */
export function formatSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  return `${value < 100 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`;
}

/** Rounded up, to the two largest units worth saying: 45 s, 7 min, 1 h 20 min, 2 d 2 h. */
export function formatTimeLeft(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  if (seconds < 60) return `${seconds} s left`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} min left`;
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ''} left`;
  const hours = Math.ceil(minutes / 60);
  return `${Math.floor(hours / 24)} d${hours % 24 ? ` ${hours % 24} h` : ''} left`;
}

/** Bytes per second since the first sample, once a second has passed (before, too noisy to show). */
export class ProgressRate {
  private first: { bytes: number; at: number } | undefined;

  sample(bytes: number, at: number): number | undefined {
    if (!this.first) {
      this.first = { bytes, at };
      return undefined;
    }
    const elapsed = at - this.first.at;
    return elapsed < 1000 ? undefined : ((bytes - this.first.bytes) / elapsed) * 1000;
  }
}
