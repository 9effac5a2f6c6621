/**
 * A small seeded pseudo-random generator (mulberry32): the same seed gives the same numbers on every
 * machine and Node version, so a random choice recorded with its seed can be repeated (`run --seed`).
 * Not for secrets: it only spreads drills over restore points.
 */
import { randomInt } from 'node:crypto';

export const MAX_SEED = 2 ** 32 - 1;

/** Numbers in [0, 1), the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** An index in [0, length) chosen by the seed. */
export function pickIndex(seed: number, length: number): number {
  return Math.floor(seededRandom(seed)() * length);
}

/** A fresh seed for a run that was given none (recorded, so that the run can be repeated). */
export function newSeed(): number {
  return randomInt(1, 2 ** 31);
}
