/**
 * Where a notification goes: a webhook URL, and the message shape its receiver takes, chosen by a
 * prefix on the URL (`slack+https://…`, `teams+https://…`; plain `https://…` or `json+https://…` is
 * plain JSON). The URL often carries the webhook's token in its path or query, so it is only ever
 * shown masked (`https://hooks.slack.com/…`).
 */
import { UsageError } from '../errors.ts';

export const NOTIFY_FORMATS = ['json', 'slack', 'teams'] as const;
export type NotifyFormat = (typeof NOTIFY_FORMATS)[number];

export interface NotifyTarget {
  url: URL;
  format: NotifyFormat;
  /** The URL as logs and results may show it: scheme, host and port only. */
  shown: string;
}

/** `[json+|slack+|teams+]http(s)://…`; `from` names where it was given (--notify, the config file's notify[2]). */
export function parseNotifyTarget(text: string, from: string): NotifyTarget {
  const prefix = /^(json|slack|teams)\+/i.exec(text.trim());
  const format = (prefix?.[1]?.toLowerCase() ?? 'json') as NotifyFormat;
  const rest = prefix ? text.trim().slice(prefix[0].length) : text.trim();
  let url: URL;
  try {
    url = new URL(rest);
  } catch {
    throw new UsageError(`${from}: '${maskText(rest)}' is not a URL; expected a webhook like https://hooks.example/… (slack+https://… or teams+https://… for those message shapes)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`${from}: a webhook URL must start with https:// (or http://), got ${url.protocol}//…`);
  if (url.username || url.password) throw new UsageError(`${from}: the webhook URL ${maskedUrl(url)} carries a user name or password; put the token in its path or query as the webhook's service gives it`);
  return { url, format, shown: maskedUrl(url) };
}

/** Scheme, host and port, with `/…` where a path or query (which may hold the token) was cut off. */
export function maskedUrl(url: URL): string {
  const hidden = url.pathname.length > 1 || url.search.length > 0 || url.hash.length > 0;
  return `${url.protocol}//${url.host}${hidden ? '/…' : ''}`;
}

/** Text that failed to parse as a URL, with everything after its host cut off the same way. */
function maskText(text: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)/i.exec(text);
  return match ? `${match[1]}/…` : '…';
}
