/**
 * What the soak test expects, as pure functions it can unit-test: the fault schedule over the
 * run, the request mix, and the rule deciding whether one answer was right for the faults active
 * while it was in flight.
 */

/** A simulator fault phase (the simulator's Faults, or none). */
export interface Phase {
  name: 'none' | 'unavailable' | 'latency' | 'unauthenticated' | 'reset'
  /** Start, as a fraction of the run. */
  from: number
  /** What the simulator is told (passed to sim.setFault). */
  fault?: { error?: 'unavailable' | 'unauthenticated' | 'reset'; latencyMs?: number }
}

/** Latency added in the latency phase: beyond the functions' 8 s request deadline. */
export const FAULT_LATENCY_MS = 9000
/** The functions' request deadline (DEFAULT_REQUEST_TIMEOUT_MS). */
export const DEADLINE_MS = 8000

/** The fault schedule, as fractions of the run: faults on and off, healthy at both ends. */
export const SCHEDULE: readonly Phase[] = [
  { name: 'none', from: 0 },
  { name: 'unavailable', from: 0.12, fault: { error: 'unavailable' } },
  { name: 'none', from: 0.24 },
  { name: 'latency', from: 0.34, fault: { latencyMs: FAULT_LATENCY_MS } },
  { name: 'none', from: 0.48 },
  { name: 'unauthenticated', from: 0.58, fault: { error: 'unauthenticated' } },
  { name: 'none', from: 0.7 },
  { name: 'reset', from: 0.78, fault: { error: 'reset' } },
  { name: 'none', from: 0.9 },
]

/** The index of the phase active at `fraction` of the run. */
export function phaseAt(fraction: number): number {
  let index = 0
  for (const [i, phase] of SCHEDULE.entries()) if (fraction >= phase.from) index = i
  return index
}

/** What a metric request must get back under a phase: status and error code (200: a figure). */
export const METRIC_OUTCOME: Record<Phase['name'], { status: number; code?: string }> = {
  none: { status: 200 },
  unavailable: { status: 502, code: 'pixie_unavailable' },
  latency: { status: 504, code: 'pixie_deadline_exceeded' },
  unauthenticated: { status: 502, code: 'pixie_unauthenticated' },
  reset: { status: 502, code: 'pixie_transport_error' },
}

export type RequestKind = 'metric' | 'invalid' | 'unauthorized' | 'health' | 'unknown_route'

/** One request the soak sends; `code` is the fixed answer of the kinds Pixie has no part in. */
export interface PlannedRequest {
  kind: RequestKind
  path: string
  headers: Record<string, string>
  status?: number
  code?: string
}

const SELECTORS = [
  '/?namespace=default&replicaset=canary-demo-7d9f8c6b5',
  '/?namespace=default&replicaset=canary-demo-6c8d4b9f7&window=30s',
  '/?namespace=default&rollout=canary-demo&hash=5b9d7c6f48&window=2m',
  '/?namespace=default&service=canary-demo',
  '/?namespace=default&service=canary-demo-preview&window=90s',
  '/?namespace=staging&replicaset=canary-demo-7d9f8c6b5',
  '/<metric>/default/canary-demo-7d9f8c6b5-',
  '/<metric>/default/canary-demo-5b9d7c6f48',
]

const INVALID: readonly [string, string][] = [
  ['/?namespace=default', 'missing_selector'],
  ['/?namespace=Default&pod=web', 'invalid_namespace'],
  ["/?namespace=default&pod=web'%29%3B%20px.display%28df", 'invalid_pod'],
  ['/?namespace=default&pod=web&window=2d', 'invalid_window'],
  ['/?namespace=default&pod=web&service=web', 'conflicting_selectors'],
  ['/?namespace=default&pod=web&windw=5m', 'unknown_parameter'],
  ['/<metric>/default/web%0Aimport%20os', 'invalid_pod'],
]

/** Picks the next request for a metric function from the mix. */
export function planRequest(
  metric: string,
  token: string | undefined,
  random: () => number
): PlannedRequest {
  const auth: Record<string, string> =
    token === undefined ? {} : { authorization: `Bearer ${token}` }
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
  const roll = random()
  if (roll < 0.6) {
    return { kind: 'metric', path: pick(SELECTORS).replace('<metric>', metric), headers: auth }
  }
  if (roll < 0.75) {
    const [path, code] = pick(INVALID)
    return {
      kind: 'invalid',
      path: path.replace('<metric>', metric),
      headers: auth,
      status: 400,
      code,
    }
  }
  if (roll < 0.85 && token !== undefined) {
    const headers = pick<Record<string, string>>([
      {},
      { authorization: `Bearer ${token}x` },
      { authorization: `Basic ${token}` },
    ])
    return {
      kind: 'unauthorized',
      path: pick(SELECTORS).replace('<metric>', metric),
      headers,
      status: 401,
      code: 'unauthorized',
    }
  }
  if (roll < 0.95) {
    return {
      kind: 'health',
      path: pick(['/health/liveness', '/health/readiness']),
      headers: {},
      status: 200,
    }
  }
  return { kind: 'unknown_route', path: '/metrics', headers: auth, status: 404, code: 'not_found' }
}

/** One answer, as received. */
export interface Observed {
  status: number
  contentType: string | null
  body: unknown
}

/**
 * Why an answer is wrong, or undefined when it is right. A metric answer may match the outcome of
 * any phase in `phases`: those active from (sent - deadline), since a request can join a Pixie
 * call started that much earlier, to its arrival.
 */
export function violation(
  request: PlannedRequest,
  observed: Observed,
  phases: readonly Phase['name'][]
): string | undefined {
  if (!observed.contentType?.startsWith('application/json')) {
    return `not JSON (content-type ${observed.contentType})`
  }
  if (typeof observed.body !== 'object' || observed.body === null)
    return 'body is not a JSON object'
  const body = observed.body as Record<string, any>
  const code: unknown = body.error?.code
  if (request.kind !== 'metric') {
    if (observed.status !== request.status)
      return `expected ${request.status}, got ${observed.status} ${String(code ?? '')}`
    if (request.code !== undefined && code !== request.code)
      return `expected ${request.code}, got ${String(code)}`
    if (request.kind === 'health' && body.status !== 'ok') return 'health body is not {status: ok}'
    return undefined
  }
  if (observed.status === 200) {
    if (!phases.includes('none')) return `200 while Pixie was failing (${phases.join(', ')})`
    const { value, requests } = body
    if (!Number.isSafeInteger(requests) || requests < 0)
      return `requests is not a count: ${requests}`
    if (value !== null && (typeof value !== 'number' || !Number.isFinite(value)))
      return `value is not a number or null: ${value}`
    if (requests === 0 && value !== null) return 'a value without requests'
    return undefined
  }
  // The overload answer is documented and correct whatever Pixie does; it is counted and shown.
  if (observed.status === 503 && code === 'overloaded') return undefined
  const allowed = phases.map((p) => METRIC_OUTCOME[p])
  if (allowed.some((o) => o.status === observed.status && o.code === code)) return undefined
  return `got ${observed.status} ${String(code)} during ${phases.join(', ')}`
}
