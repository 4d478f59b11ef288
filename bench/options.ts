/**
 * Bench options from the command line and environment. Defaults give the full run (about three
 * minutes on 2 cores); `--quick` / BENCH_QUICK=1 gives a ~30 s smoke run with the same figures
 * from fewer samples.
 */

export interface BenchOptions {
  quick: boolean
  /** Measured cold-start rounds per target (BENCH_RUNS; default 15, quick 3). */
  runs: number
  /** Discarded cold-start rounds first (default 2, quick 1). */
  warmups: number
  /** Seed of the cold-start order (BENCH_SEED; default from the clock, recorded in the JSON). */
  seed: number
  /** Measured seconds per throughput phase (BENCH_LOAD_SECONDS; default 3, quick 0.5). */
  loadSeconds: number
  /** Unrecorded warm-up seconds before each load phase (default 0.5, quick 0.25). */
  warmupSeconds: number
  /** Unrecorded warm-up seconds before each throughput phase, for the JIT (default 1, quick 0.25). */
  throughputWarmupSeconds: number
  /** Measured seconds of paired function/direct requests per function (default 4, quick 1.5). */
  overheadSeconds: number
  /** Closed-loop concurrency of the overhead phase (BENCH_OVERHEAD_CONCURRENCY; default 1). */
  overheadConcurrency: number
  /** Closed-loop concurrency of the throughput phase (BENCH_CONCURRENCY; default 10). */
  concurrency: number
  /** Identical requests sent at once in the coalescing phase (default 100). */
  burst: number
  /** Coalescing rounds per function (default 3, quick 1). */
  burstRounds: number
  /** Pixie query time added by the simulator in the coalescing goal bursts (default 50 ms). */
  pixieLatencyMs: number
  /** Traffic multipliers of the scaling phase (default 1, 10, 100). */
  multipliers: number[]
  /** Measured seconds per function per multiplier in the scaling phase (default 1.5, quick 0.3). */
  scalingSeconds: number
  /** Where the JSON goes (BENCH_OUT; default bench/results/latest.json). */
  out: string | undefined
  /**
   * The production image's Node binary (BENCH_IMAGE_NODE; BENCH_NODE22 is still read): the
   * cold-start goal is checked there too, with and without NODE_COMPILE_CACHE as the image fills it.
   */
  imageNode: string | undefined
}

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new Error(`${name} must be a positive integer, got ${JSON.stringify(value)}`)
  return n
}

export function positiveNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`${name} must be a positive number, got ${JSON.stringify(value)}`)
  return n
}

const KNOWN_FLAGS = new Set(['--quick', '--help', '-h'])

export const USAGE = `usage: npm run bench [-- --quick]
  --quick                 ~30 s smoke run (same as BENCH_QUICK=1)
environment:
  BENCH_RUNS=15           measured cold-start rounds per target
  BENCH_SEED=<int>        seed of the cold-start order
  BENCH_LOAD_SECONDS=3    measured seconds per load phase
  BENCH_CONCURRENCY=10    throughput concurrency
  BENCH_OVERHEAD_CONCURRENCY=1  overhead-phase concurrency
  BENCH_OUT=<path>        JSON output (default bench/results/latest.json)
  BENCH_IMAGE_NODE=<path> the production image's Node binary (22+): cold start there, cache off/on`

/** Parses argv (after the script path) and env; throws with a clear message on a bad value. */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  for (const arg of argv) {
    if (!KNOWN_FLAGS.has(arg)) throw new Error(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`)
  }
  const quick = argv.includes('--quick') || env.BENCH_QUICK === '1'
  return {
    quick,
    runs: positiveInt(env.BENCH_RUNS, 'BENCH_RUNS') ?? (quick ? 3 : 15),
    warmups: quick ? 1 : 2,
    seed: positiveInt(env.BENCH_SEED, 'BENCH_SEED') ?? Date.now() % 2 ** 31,
    loadSeconds: positiveNumber(env.BENCH_LOAD_SECONDS, 'BENCH_LOAD_SECONDS') ?? (quick ? 0.5 : 3),
    warmupSeconds: quick ? 0.25 : 0.5,
    throughputWarmupSeconds: quick ? 0.25 : 1,
    overheadSeconds: quick ? 1.5 : 4,
    overheadConcurrency:
      positiveInt(env.BENCH_OVERHEAD_CONCURRENCY, 'BENCH_OVERHEAD_CONCURRENCY') ?? 1,
    concurrency: positiveInt(env.BENCH_CONCURRENCY, 'BENCH_CONCURRENCY') ?? 10,
    burst: 100,
    burstRounds: quick ? 1 : 3,
    pixieLatencyMs: 50,
    multipliers: [1, 10, 100],
    scalingSeconds: quick ? 0.3 : 1.5,
    out: env.BENCH_OUT || undefined,
    imageNode: env.BENCH_IMAGE_NODE || env.BENCH_NODE22 || undefined,
  }
}
