/**
 * The webhooks a command notifies: every --notify URL, then those of RESTORE_DRILL_NOTIFY (URLs
 * separated by spaces or newlines: for scheduled drills, in the 0600 EnvironmentFile their units
 * read), then the `notify` list of the config file (RESTORE_DRILL_CONFIG, else
 * ~/.config/restore-drill/config.json: the file that names the signing key). The last two keep a URL
 * with its token out of command lines, shell history and unit files, which every user may read.
 */
import { InfrastructureError } from '../errors.ts';
import { configPath, readConfig } from '../evidence/keys.ts';
import { parseNotifyTarget, type NotifyTarget } from './target.ts';

/** The --notify targets (parsed by the command), and those of the config file not among them. */
export async function notifyTargets(given: NotifyTarget[] = [], env: NodeJS.ProcessEnv = process.env): Promise<NotifyTarget[]> {
  const targets = [...given];
  const fromEnv = (env.RESTORE_DRILL_NOTIFY ?? '').split(/\s+/).filter(Boolean).map((url) => parseNotifyTarget(url, 'RESTORE_DRILL_NOTIFY'));
  for (const target of [...fromEnv, ...(await configuredTargets(env))]) {
    if (!targets.some((t) => t.url.href === target.url.href && t.format === target.format)) targets.push(target);
  }
  return targets;
}

async function configuredTargets(env: NodeJS.ProcessEnv): Promise<NotifyTarget[]> {
  const { config } = await readConfig(env);
  const list = (config as { notify?: unknown }).notify;
  if (list === undefined) return [];
  const file = configPath(env);
  if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) {
    throw new InfrastructureError('CONFIG_INVALID', `The configuration file ${file}: "notify" must be a list of webhook URLs, e.g. "notify": ["slack+https://hooks.slack.com/services/…"]`);
  }
  return list.map((url, i) => parseNotifyTarget(url, `${file}: notify[${i}]`));
}
