/**
 * The monotonic clock for deadlines and durations, in milliseconds: `process.hrtime`, the clock
 * `performance.now()` reads too (CLOCK_MONOTONIC on Linux), without loading perf_hooks on first
 * use (about 1 ms of start-up before the first answer; `npm run bench:steps`).
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6
}
