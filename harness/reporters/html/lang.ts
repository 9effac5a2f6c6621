/** The report language: --lang ja|en, else the locale (LC_ALL, LC_MESSAGES, LANG), else English. */
import { UsageError } from '../../errors.ts';

export type Lang = 'ja' | 'en';
export const LANGS: Lang[] = ['ja', 'en'];

export function chooseLang(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Lang {
  if (flag !== undefined) {
    if (flag === 'ja' || flag === 'en') return flag;
    throw new UsageError(`--lang must be ja or en, got '${flag}'`);
  }
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^ja([_.@-]|$)/i.test(locale) ? 'ja' : 'en';
}
