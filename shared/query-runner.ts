/**
 * Runs Pixie queries for the app with three guarantees:
 * - a deadline: every request gets its answer or an error within timeoutMs, and the Pixie call
 *   itself is aborted then (Argo's web provider gives up after 10 s);
 * - coalescing: identical queries in flight or waiting share one Pixie call (AnalysisRuns of
 *   several rollouts, or retries, often ask the same thing at once), so 100 equal requests cost 1
 *   query;
 * - a bound: at most maxConcurrent distinct queries run against Vizier at once. Excess queries
 *   wait in a bounded FIFO queue for a free slot, within their request's deadline: a burst is
 *   absorbed, and only a request that could not start before its deadline (or that finds the
 *   queue full) answers overloaded (503). A query that starts late gets only the time left, so
 *   the request still answers within its deadline; one that could only start within
 *   DEADLINE_EDGE_MS of it is answered overloaded rather than started.
 */
import { monotonicMs } from './clock'
import { PxCanaryError } from './errors'
import { DEADLINE_EDGE_MS, deadlineError, deadlineOrTransport } from './pixie/error-mapping'
import type { ScriptResult, VizierClient } from './pixie/types'
import type { PxlCall } from './pxl/request'

export interface QueryRunnerOptions {
  client: VizierClient
  /** Deadline per request, in milliseconds, waiting for a slot included. */
  timeoutMs: number
  /** Distinct Pixie queries allowed to run at once. */
  maxConcurrent: number
  /** Distinct queries allowed to wait for a slot; beyond that, overloaded at once. Default 256. */
  maxQueued?: number
  /** Monotonic clock in ms; default shared/clock.ts. */
  now?: () => number
}

export interface QueryRunner {
  run(call: PxlCall): Promise<ScriptResult>
  /** Distinct Pixie queries currently running. */
  readonly inFlight: number
  /** Distinct queries waiting for a slot. */
  readonly queued: number
}

const DEFAULT_MAX_QUEUED_QUERIES = 256

function overloadedError(maxConcurrent: number, why: string): PxCanaryError {
  return new PxCanaryError(
    'overloaded',
    `too many Pixie queries at once (${maxConcurrent} running): ${why}; retry shortly`,
    { details: { max_concurrent: maxConcurrent } }
  )
}

/** The identity of a query: same script, function, arguments and label means same answer. */
function keyOf(call: PxlCall): string {
  return JSON.stringify([call.script.sha256, call.options.execFuncs ?? [], call.options.queryName])
}

/** One distinct query, shared by every identical request that arrives while it is pending. */
interface Entry {
  promise: Promise<ScriptResult>
  /** False while the query waits for a slot. */
  started: boolean
}

interface Waiter {
  entry: Entry
  call: PxlCall
  /** Forgets the entry (its key may start a new query). */
  done(): void
  deadlineAt: number
  resolve(result: ScriptResult): void
  reject(err: unknown): void
  timer: ReturnType<typeof setTimeout>
}

/** Creates a runner over one client. */
export function createQueryRunner(options: QueryRunnerOptions): QueryRunner {
  const { client, timeoutMs, maxConcurrent } = options
  const maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED_QUERIES
  const now = options.now ?? monotonicMs
  const entries = new Map<string, Entry>()
  const queue: Waiter[] = []
  let running = 0

  const forget = (key: string, entry: Entry): void => {
    if (entries.get(key) === entry) entries.delete(key)
  }

  /** Runs the call in a slot, with `budgetMs` left of its deadline. */
  function launch(call: PxlCall, budgetMs: number, onSettled: () => void): Promise<ScriptResult> {
    running++
    let freed = false
    const free = (): void => {
      if (freed) return
      freed = true
      running--
      onSettled()
      pump()
    }
    const controller = new AbortController()
    const deadlineAt = now() + budgetMs
    return new Promise<ScriptResult>((resolve, reject) => {
      // The query's promise settles by its deadline whatever the client does: at the deadline
      // the call is aborted, the slot freed and the promise rejected, so a client that ignores
      // the signal can neither wedge the runner nor hold a request past its deadline.
      const timer = setTimeout(() => {
        controller.abort()
        free()
        reject(deadlineError(timeoutMs))
      }, budgetMs)
      const settled = (): void => {
        clearTimeout(timer)
        free()
      }
      // new Promise(...) turns a synchronous throw of the client into a rejection.
      new Promise<ScriptResult>((started) =>
        started(
          client.executeScript({ ...call.options, timeoutMs: budgetMs, signal: controller.signal })
        )
      ).then(
        (result) => {
          settled()
          resolve(result)
        },
        (err: unknown) => {
          settled()
          // Our own abort surfaces as whatever the client throws for it; report the deadline.
          reject(
            controller.signal.aborted
              ? deadlineError(timeoutMs)
              : deadlineOrTransport(err, timeoutMs, deadlineAt - now())
          )
        }
      )
    })
  }

  /** Starts waiting queries while slots are free, oldest first. */
  function pump(): void {
    while (running < maxConcurrent && queue.length > 0) {
      const waiter = queue.shift()!
      clearTimeout(waiter.timer)
      const budget = Math.floor(waiter.deadlineAt - now())
      // A slot freed at the deadline's edge is too late to be worth a Pixie query.
      if (budget <= DEADLINE_EDGE_MS) {
        waiter.done()
        waiter.reject(
          overloadedError(maxConcurrent, `no query slot freed up within ${timeoutMs} ms`)
        )
        continue
      }
      waiter.entry.started = true
      launch(waiter.call, budget, waiter.done).then(waiter.resolve, waiter.reject)
    }
  }

  function start(key: string, call: PxlCall): Entry {
    if (running >= maxConcurrent && queue.length >= maxQueued) {
      // Not recorded: each request that finds the queue full gets its own immediate answer.
      const full = overloadedError(maxConcurrent, `${queue.length} more are already waiting`)
      return { promise: Promise.reject(full), started: false }
    }
    const entry: Entry = { promise: undefined as never, started: running < maxConcurrent }
    const done = (): void => forget(key, entry)
    if (entry.started) {
      entry.promise = launch(call, timeoutMs, done)
    } else {
      entry.promise = new Promise<ScriptResult>((resolve, reject) => {
        const waiter: Waiter = {
          entry,
          call,
          done,
          deadlineAt: now() + timeoutMs,
          resolve,
          reject,
          timer: setTimeout(() => {
            const index = queue.indexOf(waiter)
            if (index >= 0) queue.splice(index, 1)
            done()
            reject(overloadedError(maxConcurrent, `no query slot freed up within ${timeoutMs} ms`))
          }, timeoutMs),
        }
        queue.push(waiter)
      })
    }
    entries.set(key, entry)
    return entry
  }

  return {
    get inFlight() {
      return running
    },
    get queued() {
      return queue.length
    },
    run(call) {
      const key = keyOf(call)
      // No timer per request: a query's promise settles by its own deadline (launch), a waiting
      // one by the same deadline (start), and a request that joins a query started or queued
      // earlier has a later deadline than that query.
      return (entries.get(key) ?? start(key, call)).promise
    },
  }
}
