/**
 * The one redactor: every secret value a run knows (declared `secrets:`, source passwords) is replaced
 * by `[secret:NAME]` wherever text leaves the harness (the event stream every reporter reads, the logs,
 * the CLI's error messages). Besides the value itself it catches the forms a command may print it in:
 * JSON-escaped, URL-encoded, and base64 encoded from the value's first byte.
 */

import { SecretTooShortError } from '../errors.ts';

/** Shorter values cannot be blotted out safely: they occur by chance in ordinary output. */
export const MIN_SECRET_LENGTH = 8;

/** Refuses a secret value too short to redact; `what` names where it comes from (file:line:col field: ...). */
export function refuseShortSecret(value: string, what: string): string {
  const length = [...value].length;
  if (length < MIN_SECRET_LENGTH) throw new SecretTooShortError(what, length, MIN_SECRET_LENGTH);
  return value;
}

interface Pattern {
  text: string;
  marker: string;
}

interface Span {
  start: number;
  end: number;
  marker: string;
}

export class Redactor {
  private patterns: Pattern[] = [];

  /** Adds a secret under the name its marker shows; values under the minimum length are the caller's to refuse. */
  add(name: string, value: string): this {
    const marker = `[secret:${name}]`;
    for (const text of formsOf(value)) {
      if (text.length >= MIN_SECRET_LENGTH && !this.patterns.some((p) => p.text === text)) this.patterns.push({ text, marker });
    }
    return this;
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /** A new redactor with these secrets as well (a command's own environment, say). */
  with(secrets: Record<string, string>): Redactor {
    const copy = new Redactor();
    copy.patterns = [...this.patterns];
    for (const [name, value] of Object.entries(secrets)) copy.add(name, value);
    return copy;
  }

  /** The text with every occurrence of every form of every secret replaced (overlapping ones as one span). */
  text(input: string): string {
    if (this.patterns.length === 0 || input.length < MIN_SECRET_LENGTH) return input;
    const spans = this.spans(input);
    if (spans.length === 0) return input;
    let out = '';
    let at = 0;
    for (const span of spans) {
      out += input.slice(at, span.start) + span.marker;
      at = span.end;
    }
    return out + input.slice(at);
  }

  /** A copy of a JSON-like value with every string in it (object keys too) redacted; done before serialization. */
  value<T>(input: T): T {
    return this.patterns.length === 0 ? input : (this.deep(input) as T);
  }

  /** An error with its message and stack redacted (the same object, so its class and code are kept). */
  error<T>(err: T): T {
    if (err instanceof Error) {
      err.message = this.text(err.message);
      if (err.stack) err.stack = this.text(err.stack);
    }
    return err;
  }

  private deep(input: unknown): unknown {
    if (typeof input === 'string') return this.text(input);
    if (Array.isArray(input)) return input.map((item) => this.deep(item));
    if (input === null || typeof input !== 'object' || !isPlain(input)) return input;
    return Object.fromEntries(Object.entries(input).map(([key, item]) => [this.text(key), this.deep(item)]));
  }

  private spans(input: string): Span[] {
    const found: Span[] = [];
    for (const { text, marker } of this.patterns) {
      for (let i = input.indexOf(text); i !== -1; i = input.indexOf(text, i + 1)) found.push({ start: i, end: i + text.length, marker });
    }
    found.sort((a, b) => a.start - b.start || b.end - a.end);
    const merged: Span[] = [];
    for (const span of found) {
      const last = merged.at(-1);
      if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
      else merged.push({ ...span });
    }
    return merged;
  }
}

/**
 * The forms a secret is looked for in. base64 is matched from the value's first byte: the full
 * encoding, and its prefix made of whole 3-byte groups, which stays the same whatever bytes follow
 * (`echo "$PW" | base64` encodes a newline after it).
 */
export function formsOf(value: string): string[] {
  const base64 = Buffer.from(value, 'utf8').toString('base64');
  const whole = base64.slice(0, Math.floor(Buffer.byteLength(value, 'utf8') / 3) * 4);
  const forms = [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value), base64, base64.replace(/=+$/, ''), whole, Buffer.from(value, 'utf8').toString('base64url')];
  return [...new Set(forms)];
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
