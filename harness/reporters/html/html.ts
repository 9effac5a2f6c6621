/**
 * A tagged template that escapes every interpolated value (escape-html) unless it is already Html:
 * file names in findings, scenario text and command output are untrusted and must never become markup.
 */
import escapeHtml from 'escape-html';

export class Html {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new Html(out);
}

/** Trusted markup written in this code base (styles, SVG built from numbers). Never user text. */
export function trusted(text: string): Html {
  return new Html(text);
}
