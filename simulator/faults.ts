/**
 * Faults the simulator can inject into ExecuteScript, switchable per scenario and at runtime.
 * Each mirrors something real Pixie does (pixie-io/pixie src/api/proto/vizierpb/vizierapi.proto
 * for the statuses, src/vizier/services/query_broker/controllers/ for how a query ends).
 */
import type { FaultsInput } from './scenario'

/**
 * - unavailable: gRPC UNAVAILABLE 'cluster is not in a healthy state' (cloud: cluster not healthy)
 * - unauthenticated: gRPC INTERNAL 'Auth middleware failed: failed to fetch token - unauthenticated'
 *   (how Pixie Cloud reports a bad API key)
 * - reset: an HTTP/2 RST_STREAM after `resetAfterMessages` response messages
 * - hang: never answers; the call ends only when the client cancels or its deadline passes
 */
export type FaultError = 'unavailable' | 'unauthenticated' | 'reset' | 'hang'

export interface Faults {
  /** Delay before the first response message, in milliseconds. */
  latencyMs?: number
  error?: FaultError
  /** For 'reset': response messages sent before the stream is reset (default 2). */
  resetAfterMessages?: number
  /** Apply to the next N ExecuteScript calls only, then clear (default: until cleared). */
  times?: number
}

export const UNAVAILABLE_MESSAGE = 'cluster is not in a healthy state'
export const UNAUTHENTICATED_MESSAGE =
  'Auth middleware failed: failed to fetch token - unauthenticated'

/** Converts the scenario file's snake_case faults. */
export function faultsFromScenario(input: FaultsInput): Faults {
  const faults: Faults = {}
  if (input.latency_ms !== undefined) faults.latencyMs = input.latency_ms
  if (input.error !== undefined) faults.error = input.error
  if (input.reset_after_messages !== undefined)
    faults.resetAfterMessages = input.reset_after_messages
  return faults
}

/** Validates faults coming from outside (the admin HTTP knob, the CLI). Throws on bad input. */
export function parseFaults(input: unknown): Faults {
  if (typeof input !== 'object' || input === null) throw new Error('faults must be a JSON object')
  const o = input as Record<string, unknown>
  const faults: Faults = {}
  for (const key of Object.keys(o)) {
    if (!['latencyMs', 'error', 'resetAfterMessages', 'times'].includes(key)) {
      throw new Error(`unknown fault field '${key}'`)
    }
  }
  const count = (key: string): number | undefined => {
    const v = o[key]
    if (v === undefined || v === null) return undefined
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw new Error(`${key} must be a non-negative integer`)
    }
    return v
  }
  const latencyMs = count('latencyMs')
  const resetAfterMessages = count('resetAfterMessages')
  const times = count('times')
  if (latencyMs !== undefined) faults.latencyMs = latencyMs
  if (resetAfterMessages !== undefined) faults.resetAfterMessages = resetAfterMessages
  if (times !== undefined) faults.times = times
  if (o.error !== undefined && o.error !== null) {
    if (!['unavailable', 'unauthenticated', 'reset', 'hang'].includes(o.error as string)) {
      throw new Error('error must be one of unavailable, unauthenticated, reset, hang')
    }
    faults.error = o.error as FaultError
  }
  return faults
}
