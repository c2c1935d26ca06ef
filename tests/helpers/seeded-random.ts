/**
 * Random tests that can be replayed: the seed comes from TEST_SEED when set (to replay a failure),
 * otherwise it is drawn afresh; a failing test names it in its error, so
 * `TEST_SEED=<seed> npx jest <file>` runs the same choices again.
 */

/** mulberry32: a small, well-mixed 32-bit PRNG; the same seed gives the same sequence everywhere. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeededRandom {
  seed: number;
  /** In [0, 1). */
  next(): number;
  /** A whole number in [0, below). */
  below(below: number): number;
}

export function seedFromEnv(): number {
  const given = process.env.TEST_SEED;
  if (given !== undefined && given !== '') {
    const seed = Number(given);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
      throw new Error(`TEST_SEED must be a whole number from 0 to 4294967295, not "${given}".`);
    return seed;
  }
  return Math.floor(Math.random() * 0x100000000);
}

export function seededRandom(seed = seedFromEnv()): SeededRandom {
  const next = prng(seed);
  return { seed, next, below: (below) => Math.floor(next() * below) };
}

/**
 * Runs a random test body with its seed; a failure is rethrown with the seed in its message (and
 * the seed is printed), so it can be replayed with TEST_SEED.
 */
export async function withSeed<T>(body: (random: SeededRandom) => Promise<T>): Promise<T> {
  const random = seededRandom();
  try {
    return await body(random);
  } catch (error) {
    const replay = `Replay with TEST_SEED=${random.seed}`;
    console.error(`Random test failed. ${replay}`);
    if (error instanceof Error) error.message = `${error.message}\n\n${replay}`;
    throw error;
  }
}
