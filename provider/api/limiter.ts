// A bound on concurrent BirdEye calls. The mapping set writes its mappings
// concurrently, so without a bound a 500-location Enterprise would fire 500
// requests at a rate-limited API. One
// limiter is shared by every call of a provider process (see
// resources/connection.ts).

export interface Limiter {
  /** Run `task` when fewer than `max` tasks are running; queue it otherwise (first in, first out). */
  run<T>(task: () => Promise<T>): Promise<T>;
  readonly max: number;
  /** Tasks running now. */
  active(): number;
  /** Most tasks that ever ran at once. */
  peak(): number;
}

/**
 * 32 calls at once: 500 mapping puts take ~16 round trips (with 16 the
 * provider host, not BirdEye, bound a 500-location create: 5.0 s against 3.6 s,
 * npm run bench -- --engine cli). A 429 is retried honouring Retry-After, and
 * birdeye:maxConcurrency lowers the bound for a key with a low rate limit.
 */
export const DEFAULT_MAX_CONCURRENCY = 32;

export function createLimiter(max: number = DEFAULT_MAX_CONCURRENCY): Limiter {
  if (!Number.isInteger(max) || max < 1) throw new Error(`the concurrency bound must be a whole number of at least 1, got ${String(max)}`);
  let running = 0;
  let highest = 0;
  const waiting: (() => void)[] = [];
  const release = (): void => {
    running -= 1;
    waiting.shift()?.();
  };
  return {
    max,
    active: () => running,
    peak: () => highest,
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
      running += 1;
      highest = Math.max(highest, running);
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
