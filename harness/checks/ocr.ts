/**
 * Text on a machine's screenshot, read by OCR: Debian's tesseract (tesseract-ocr, with
 * tesseract-ocr-jpn for Japanese) as a child process, bounded in time and output. What it prints is
 * untrusted text (the screen belongs to a restored, possibly hostile guest): control characters are
 * dropped and the text is cut before it goes anywhere.
 */
import { InfrastructureError } from '../errors.ts';
import { runProcess } from '../sandboxes/process.ts';

export const OCR_PROGRAM = 'tesseract';
const LANGUAGES = 'eng+jpn';
const OCR_TIMEOUT_MS = 60_000;
/** What is kept of the recognised text (result.json, report.html). */
export const OCR_TEXT_LIMIT = 2000;
const PACKAGES = 'install the Debian packages tesseract-ocr and tesseract-ocr-jpn';

export interface OcrOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** The PATH tesseract is looked up in (a seam for tests). */
  path?: string;
}

/** The text tesseract reads on the PNG, cleaned (see ocrClean). */
export async function recogniseText(png: string, options: OcrOptions = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? OCR_TIMEOUT_MS;
  // One thread: the drill host is shared, and a screenshot is small.
  const env = { PATH: options.path ?? '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8', OMP_THREAD_LIMIT: '1' };
  let result;
  try {
    result = await runProcess(OCR_PROGRAM, [png, 'stdout', '-l', LANGUAGES], { env, timeoutMs, signal: options.signal });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InfrastructureError('OCR_TOOL_MISSING', `screen.text needs OCR, but tesseract is not installed: ${PACKAGES}.`);
    throw err;
  }
  if (result.timedOut) throw new InfrastructureError('OCR_FAILED', `tesseract did not read the screenshot ${png} within ${timeoutMs / 1000} s.`);
  if (/Failed loading language|Error opening data file/.test(result.stderr)) {
    throw new InfrastructureError('OCR_TOOL_MISSING', `tesseract has no language data for ${LANGUAGES}: ${PACKAGES}.`);
  }
  if (result.exitCode !== 0) throw new InfrastructureError('OCR_FAILED', `tesseract could not read the screenshot ${png}: ${result.stderr.trim().split('\n').pop() || `exit code ${result.exitCode}`}`);
  return ocrClean(result.stdout);
}

const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}ー';
const SPACE_IN_CJK = new RegExp(`(?<=[${CJK}])[ \\t]+(?=[${CJK}])`, 'gu');

/**
 * Tesseract's text as a check compares it: no control characters (but newlines), no blank lines, no
 * spaces between Japanese characters (tesseract's jpn model puts one between each), cut.
 */
export function ocrClean(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(SPACE_IN_CJK, '')
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '')
    .join('\n')
    .slice(0, OCR_TEXT_LIMIT);
}
