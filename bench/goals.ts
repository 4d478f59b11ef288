/**
 * The performance goals (root README, "Performance") as numbers, and the description of how each figure is
 * measured (the "how" keys of the table). The descriptions interpolate the run's options so the
 * printed text always matches what this run did.
 */
import type { BenchOptions } from './options'
import { METRIC_PATH } from './queries'

export const GOALS = {
  /** Each function bundle, minified. */
  bundleKb: 150,
  /**
   * Spawn to first metric answer, as a multiple of the bare node:http floor of the same run, on
   * the machine's Node and on the production image's Node.
   */
  coldStartXFloor: 1.3,
  /** Resident memory after the first answer, above the bare node:http floor on the same Node. */
  rssOverFloorMb: 12,
  /** The function's own cost per request (paired against a direct query), p50; p99 is reported. */
  overheadP50Ms: 0.5,
  /** Pixie queries caused by 100 identical concurrent requests. */
  coalescedQueries: 1,
  /** Rows fetched from Pixie at x100 traffic relative to x1: unchanged. */
  rowsRatio: 1,
  /**
   * "Function time unchanged" at x100 traffic, made testable: the function's own time (p50, paired
   * against a direct query) grows by at most 1 ms from x1 to x100.
   */
  flatGrowthMs: 1,
} as const

/** The "how" text of every method key used in the table, for this run's options. */
export function methodTexts(o: BenchOptions): Record<string, string> {
  const minPairs = o.quick ? 8 : 20
  return {
    size: 'bundles built in this run by esbuild.config.mjs buildFunctions() (minified ESM, node20; the fixtures with the same options) into a temp dir; bytes on disk; gzip = zlib level 9 of the same bytes; KB = 1024 bytes',
    cold: `wall time from spawn(node <bundle>) to the first accepted answer, polled about every 1 ms over a fresh TCP connection; functions must answer GET ${METRIC_PATH} with 200 and requests > 0 from the simulator (its own process, already warm); floor = bare node:http bundle, Hono = bare Hono + @hono/node-server bundle, both answering 200; ${o.warmups} discarded round(s), then ${o.runs} rounds, each running every target once in a new random order (seed ${o.seed}); median; x floor = median / floor median of this run`,
    cold22: o.imageNode
      ? `as cold, on the production image's Node (BENCH_IMAGE_NODE=${o.imageNode}), in its own rounds (${o.warmups} discarded, then ${o.runs}, random order, seed ${o.seed}): a bare node:http floor on that binary, and each function with NODE_COMPILE_CACHE off and on; the cache is filled first as knative/Dockerfile does (each bundle started with no Pixie reachable, SIGTERM once /health/readiness answers, Node writes the cache at the normal exit); x floor = median / that Node's floor median; the goal is on cache on, as the image runs; cache gain = median over rounds of (on - off)`
      : "set BENCH_IMAGE_NODE to the production image's Node binary (knative/Dockerfile) to measure its cold starts, with and without NODE_COMPILE_CACHE",
    rss: 'VmRSS from /proc/<pid>/status read right after each first accepted answer of the cold-start runs; median; MB = 2^20 bytes; over floor = function median - bare node:http median on the same Node',
    'over-direct': `closed loop at concurrency ${o.overheadConcurrency} from a separate load process (keep-alive; ${o.warmupSeconds} s unrecorded warm-up, then ${o.overheadSeconds} s measured); each lane alternates one function request (a distinct query, so each one reaches Pixie) with one direct ExecuteScript call of the same shape (a call the function made in a short primer phase, replayed to the simulator with the project's Vizier client and retagged as a fresh query, as the function's is), swapping the order every pair; overhead_i = function_i - direct_i; p50/p99 over the successful pairs`,
    'over-floor': `the over-direct job, the same replayed calls, against bench/fixtures/bare-proxy.ts: Hono and @hono/node-server in front of one ExecuteScript call on a raw node:http2 stream, with no parameters, Vizier client, decoding or log line; the part of over-direct that any function on this stack pays on this machine`,
    cpu: "user + system CPU time of the function's process over a paired job (the over-direct job, or each function's job of a scaling level; from /proc/<pid>/stat, one clock tick resolution), divided by the function requests of that job (warm-up included): the function's own work per request, HTTP and gRPC client included, whatever the machine's scheduling delays",
    'over-sim':
      "each function request of the same job matched (by a tag in its query) with the simulator's own time for that query (table read + PxL execution, timed inside the simulator process); overhead_i = latency_i - simulator_i; includes the loopback gRPC transfer and both sides' protobuf work, so an upper bound of the function's own cost",
    pixie:
      "ExecuteScript calls the simulator received for the function's requests of the overhead job (found by their tags) / HTTP requests sent (warm-up included)",
    tput: `successful answers per second at concurrency ${o.concurrency}, closed loop from a separate load process (keep-alive; ${o.throughputWarmupSeconds} s unrecorded warm-up, then ${o.loadSeconds} s measured); function: distinct queries (each one a Pixie query) or one identical query (coalesced); bare Hono: the fixture bundle; direct: a function's ExecuteScript calls replayed to the simulator; all processes share the machine's CPUs`,
    coal: `${o.burst} identical GETs sent at once over ${o.burst} keep-alive connections opened beforehand (as Knative's queue-proxy keeps connections to the container), the simulator answering ${o.pixieLatencyMs} ms late (its latency fault: a plausible Pixie query time; it otherwise answers in about 1 ms, before a function can even read 100 requests); ExecuteScript calls counted by the simulator; worst of ${o.burstRounds} round(s), each with a new query`,
    'coal-fresh':
      'as coal, but each GET on its own new TCP connection, all started in the same tick (separate clients calling the function directly); informational',
    'coal-fast':
      'as coal, but without added Pixie time: only requests that arrive while the first query is still in flight can share it; informational',
    scale: `simulator traffic multiplier x${o.multipliers.join(', x')} (changing it drops the simulator's cached rows); per level and function one unrecorded query, then sequential pairs for ${o.scalingSeconds} s and at least ${minPairs} pairs (one distinct function query, one direct replay of that function's call, as over-direct); rows from the simulator's records of the function's queries; pooled over the three functions; then the floor fixture (over-floor) paired the same way at each level, for reference`,
    'scale-sim':
      "as scale, but latency minus the simulator's timed work for the same query (as over-sim); this grows with the simulator's untimed per-query work (garbage collection after large scans, result encoding), not with the function's",
  }
}
