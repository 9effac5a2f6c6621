/** Which processes of this host still work inside a folder (so that a leftover sandbox is not removed under them). */
import { readdir, readlink } from 'node:fs/promises';
import path from 'node:path';

/** Process ids whose working folder or root folder is `dir` or inside it. */
export async function processesInside(dir: string): Promise<number[]> {
  const inside = (link: string) => {
    const target = link.replace(/ \(deleted\)$/, '');
    return target === dir || target.startsWith(dir + path.sep);
  };
  const found: number[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    for (const link of ['cwd', 'root']) {
      const target = await readlink(`/proc/${entry}/${link}`).catch(() => undefined);
      if (target !== undefined && inside(target)) {
        found.push(Number(entry));
        break;
      }
    }
  }
  return found;
}
