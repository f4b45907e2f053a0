/** Timing helpers of the benchmark: every figure is a median of repeated runs, and goals are ratios in one run. */

export const median = (values: readonly number[]) => percentile(values, 0.5);

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? Number.NaN;
}

/** Rounds of calls run first, uncounted: the JIT compiles the hot code before anything is timed. */
const WARM_UP_ROUNDS = 3;

/** Microseconds per call of `run`: the median of `rounds` rounds of `perRound` calls, after a warm-up. */
export function microsPerCall(run: () => void, perRound: number, rounds = 9): number {
  for (let i = 0; i < perRound * WARM_UP_ROUNDS; i++) run();
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    for (let i = 0; i < perRound; i++) run();
    times.push(((performance.now() - start) * 1000) / perRound);
  }
  return median(times);
}

/** The same for an asynchronous call. */
export async function microsPerAsyncCall(run: () => Promise<unknown>, perRound: number, rounds = 9): Promise<number> {
  for (let i = 0; i < perRound * WARM_UP_ROUNDS; i++) await run();
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    for (let i = 0; i < perRound; i++) await run();
    times.push(((performance.now() - start) * 1000) / perRound);
  }
  return median(times);
}

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
