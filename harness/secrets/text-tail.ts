/**
 * The end of a long output, cut where a word begins. Secrets are redacted later, by value, on the
 * event stream; a cut in the middle of a secret would leave a fragment no redactor can recognise, so
 * the kept text starts after the first whitespace past the cut (secrets are tokens without spaces).
 */
export function textTail(text: string, max: number): string {
  if (text.length <= max) return text;
  const kept = text.slice(-max);
  const boundary = kept.search(/\s/);
  return `...${boundary === -1 ? '' : kept.slice(boundary)}`;
}
