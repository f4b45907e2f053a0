/** Timing helpers of the benchmark: every figure is a median of repeated runs, and goals are ratios in one run. */

export const median = (values: readonly number[]) => percentile(values, 0.5);

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? Number.NaN;
}

/**
 * Time each timed thing first runs, uncounted: the JIT compiles the hot code and the young heap grows to its working
 * size before anything is timed (fewer rounds left the first figures of a process 10-20% slow).
 */
const WARM_UP_MS = 2000;

/** Something timed: a call, and how many calls make one round of it. */
export interface Timed {
  run: () => unknown;
  perRound: number;
}

/**
 * Microseconds per call of each timed thing, round by round: one round of each in turn, so the drift of a shared
 * machine falls on all of them alike and a ratio is best taken round by round. Asynchronous calls are awaited; the
 * others are not (an await would add its own cost to a small floor).
 */
export async function microsByRound<K extends string>(
  timed: Record<K, Timed>,
  rounds = 15,
): Promise<Record<K, number[]>> {
  const entries = Object.entries(timed) as [K, Timed][];
  const asynchronous = new Map(entries.map(([key, { run }]) => [key, run() instanceof Promise]));
  const timeRound = async (key: K, { run, perRound }: Timed) => {
    // Each round starts on a collected heap: no round pays for the garbage of the one before (npm run bench has gc).
    (globalThis.gc as ((options: { type: string }) => void) | undefined)?.({ type: 'minor' });
    const start = performance.now();
    if (asynchronous.get(key)) for (let i = 0; i < perRound; i++) await run();
    else for (let i = 0; i < perRound; i++) run();
    return ((performance.now() - start) * 1000) / perRound;
  };
  for (const [key, thing] of entries) {
    const warmUntil = performance.now() + WARM_UP_MS;
    while (performance.now() < warmUntil) await timeRound(key, thing);
  }
  const times = Object.fromEntries(entries.map(([key]) => [key, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < rounds; round++)
    for (const [key, thing] of entries) times[key].push(await timeRound(key, thing));
  return times;
}

/** The median over rounds of one figure divided by another, each round's figures taken together. */
export const medianRatio = (numerators: readonly number[], denominators: readonly number[]) =>
  median(numerators.map((n, i) => n / denominators[i]!));

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
