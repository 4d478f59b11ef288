/**
 * The contract between the bench and its load worker (bench/load-worker.ts): the job sent over
 * IPC and the result sent back. Kept free of runtime imports so the worker bundle stays small.
 */
import type { ExecFunc } from '../shared/pixie/types'

/** The literal replaced, in HTTP paths, by the request's sequence number (unique per job). */
export const SEQ_TOKEN = '{seq}'

/** One ExecuteScript call to replay against Vizier directly. */
export interface ReplayCall {
  script: string
  execFuncs: ExecFunc[]
  queryName: string
}

/** The tag the bench puts in an excluded path to make a query distinct (bench/queries.ts). */
const TAG = /\/bench-\d+(?!\d)/g

/**
 * Added to a pair's sequence number to tag its direct call: as fresh as the function's query of
 * the pair and never equal to a tag the function sends.
 */
export const DIRECT_TAG_OFFSET = 1_000_000_000

/**
 * A replayed call made a fresh query: its `/bench-<n>` tag replaced by `/bench-<tag>`. Both halves
 * of a pair must cost the simulator the same, and a query it has seen before costs it less (V8
 * keeps each compiled RegExp, so the exclusion pattern of a replayed call is already compiled and
 * optimised): replaying the primer's calls unchanged made the direct half cheaper by about 0.2 ms.
 */
export function retagCall(call: ReplayCall, tag: number): ReplayCall {
  return {
    ...call,
    execFuncs: call.execFuncs.map((f) => ({
      ...f,
      args: Object.fromEntries(
        Object.entries(f.args).map(([name, value]) => [name, value.replace(TAG, `/bench-${tag}`)])
      ),
    })),
  }
}

export type LoadTarget =
  /** GET requests to 127.0.0.1:port, paths in rotation, SEQ_TOKEN replaced by the sequence number. */
  | { kind: 'http'; port: number; paths: string[] }
  /** ExecuteScript calls straight to a Vizier address, in rotation, with the project's client. */
  | { kind: 'grpc'; address: string; calls: ReplayCall[] }
  /**
   * Pairs: each lane alternates one HTTP request (as 'http') and one direct call (as 'grpc'),
   * swapping which goes first every pair, so both halves of a pair see the same machine state.
   * The direct call of pair n is a replayed call retagged as a fresh query (retagCall with
   * n + DIRECT_TAG_OFFSET), as fresh as the HTTP request's. Only pairs where both halves
   * succeeded are recorded.
   */
  | { kind: 'paired'; port: number; paths: string[]; address: string; calls: ReplayCall[] }

export interface LoadJob {
  target: LoadTarget
  /** Requests in flight at any time (closed loop). */
  concurrency: number
  /** Unrecorded warm-up before the measured phase, in milliseconds. */
  warmupMs: number
  /** Measured phase, in milliseconds. */
  durationMs: number
  /**
   * Keep measuring past durationMs until this many answers are recorded (slow targets), but never
   * longer than durationMs + 15 s.
   */
  minRequests?: number
  /** First sequence number (default 0); request n of the job gets seqStart + n. */
  seqStart?: number
}

export interface LoadResult {
  /** Per-request latency in milliseconds, measured phase only, answers of any status. */
  latenciesMs: number[]
  /** The sequence number of each entry of latenciesMs. */
  seqs: number[]
  /** Whether each entry of latenciesMs was a success (HTTP 200 or gRPC OK). */
  entryOk: boolean[]
  /** 'paired' jobs only: the direct call's latency of each pair, aligned with latenciesMs (ms). */
  directMs?: number[]
  /** Answers by HTTP status ('ok' for a successful gRPC call), measured phase only. */
  statuses: Record<string, number>
  /** Successful answers (HTTP 200 or gRPC OK), measured phase only. */
  ok: number
  /** Failures without an HTTP answer, by message, measured phase only. */
  errors: Record<string, number>
  /** Wall time covered by the measured answers, in milliseconds. */
  elapsedMs: number
  completed: number
  /** The next unused sequence number (chain jobs without reusing a query). */
  nextSeq: number
}
