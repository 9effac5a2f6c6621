/** "contains this text" or "/matches this expression/flags", as scenarios write expectations. */
export interface TextMatcher {
  /** "does not contain 'x'" / "does not match /x/": what a failure says. */
  failure: string;
  test(text: string): boolean;
}

const REGEX_RE = /^\/(.*)\/([dgimsuvy]*)$/s;

export function textMatcher(pattern: string): TextMatcher {
  const regex = REGEX_RE.exec(pattern);
  if (regex) {
    const expression = new RegExp(regex[1]!, regex[2]);
    return { failure: `does not match ${pattern}`, test: (text) => expression.test(text) };
  }
  return { failure: `does not contain '${pattern}'`, test: (text) => text.includes(pattern) };
}
