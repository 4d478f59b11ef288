/**
 * Runs Pixie queries for the app with three guarantees:
 * - a deadline: every request gets its answer or pixie_deadline_exceeded (504) within timeoutMs,
 *   and the Pixie call itself is aborted then (Argo's web provider gives up after 10 s);
 * - coalescing: identical queries in flight share one Pixie call (AnalysisRuns of several
 *   rollouts, or retries, often ask the same thing at once), so 100 equal requests cost 1 query;
 * - a bound: more distinct queries in flight than maxConcurrent answer overloaded (503) instead of
 *   piling work onto Vizier.
 */
import { PxCanaryError } from './errors'
import type { ScriptResult, VizierClient } from './pixie/types'
import type { PxlCall } from './pxl/request'

export interface QueryRunnerOptions {
  client: VizierClient
  /** Deadline per request, in milliseconds. */
  timeoutMs: number
  /** Distinct Pixie queries allowed in flight at once. */
  maxConcurrent: number
}

export interface QueryRunner {
  run(call: PxlCall): Promise<ScriptResult>
  /** Distinct Pixie queries currently in flight. */
  readonly inFlight: number
}

function deadlineError(timeoutMs: number): PxCanaryError {
  return new PxCanaryError(
    'pixie_deadline_exceeded',
    `Pixie did not answer within ${timeoutMs} ms`,
    { details: { timeout_ms: timeoutMs } }
  )
}

/** The identity of a query: same script, function, arguments and label means same answer. */
function keyOf(call: PxlCall): string {
  return JSON.stringify([call.script.sha256, call.options.execFuncs ?? [], call.options.queryName])
}

/** Creates a runner over one client. */
export function createQueryRunner(options: QueryRunnerOptions): QueryRunner {
  const { client, timeoutMs, maxConcurrent } = options
  const inflight = new Map<string, Promise<ScriptResult>>()

  function start(key: string, call: PxlCall): Promise<ScriptResult> {
    const controller = new AbortController()
    // new Promise(...) turns a synchronous throw of the client into a rejection.
    const shared = new Promise<ScriptResult>((resolve) =>
      resolve(client.executeScript({ ...call.options, timeoutMs, signal: controller.signal }))
    )
      .catch((err: unknown) => {
        // Our own abort surfaces as whatever the client throws for it; report the deadline.
        throw controller.signal.aborted ? deadlineError(timeoutMs) : err
      })
      .finally(() => {
        clearTimeout(timer)
        if (inflight.get(key) === shared) inflight.delete(key)
      })
    // Aborting also drops the entry, so a client that ignores the signal cannot wedge the key.
    const timer = setTimeout(() => {
      controller.abort()
      if (inflight.get(key) === shared) inflight.delete(key)
    }, timeoutMs)
    inflight.set(key, shared)
    return shared
  }

  return {
    get inFlight() {
      return inflight.size
    },
    run(call) {
      const key = keyOf(call)
      let shared = inflight.get(key)
      if (shared === undefined) {
        if (inflight.size >= maxConcurrent) {
          return Promise.reject(
            new PxCanaryError(
              'overloaded',
              `too many Pixie queries in flight (${maxConcurrent}); retry shortly`
            )
          )
        }
        shared = start(key, call)
      }
      // Each request keeps its own deadline even when it joined a call started earlier.
      let timer: ReturnType<typeof setTimeout> | undefined
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(deadlineError(timeoutMs)), timeoutMs)
      })
      return Promise.race([shared, deadline]).finally(() => clearTimeout(timer))
    },
  }
}
