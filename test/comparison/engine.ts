/**
 * Test support for the comparison: seeded scenarios generated from one template, and a way to run
 * a function's exact PxL call on the simulator's engine (test/helpers/engine.ts) over a scenario's
 * traffic, decoded like the Vizier client decodes Pixie's answer. Evaluating hundreds of seeds
 * this way costs milliseconds each, where a simulator and function processes per seed would cost
 * seconds.
 */
import { errorRateComparison } from '../../functions/error-rate/comparison'
import { ERROR_RATE_MARGIN } from '../../functions/error-rate/params'
import { latencyComparison } from '../../functions/latency/comparison'
import { LATENCY_MARGIN, TAIL_MARGIN } from '../../functions/latency/params'
import type { ComparisonSettings } from '../../shared/comparison-params'
import type { ScriptResult } from '../../shared/pixie/types'
import { buildComparisonCall, decodeComparison } from '../../shared/comparison'
import { DEFAULT_EXCLUDED_PATHS } from '../../shared/pxl/exclusion'
import type { Selector } from '../../shared/selector'
import type { EngineTable } from '../../simulator/pxl'
import { visibleEndNs } from '../../simulator/datasource'
import { parseScenario } from '../../simulator/scenario'
import type { ScenarioInput } from '../../simulator/scenario'
import { buildWorld } from '../../simulator/topology'
import type { World } from '../../simulator/topology'
import { generateHttpEvents } from '../../simulator/traffic'
import { ENGINE_NOW_NS, runOnEngine } from '../helpers/engine'
import type { EngineCall } from '../helpers/engine'

/** A fixed "now" (ns) for the engine and the simulator alike, so both see the same rows. */
export const FROZEN_NOW_NS = ENGINE_NOW_NS

export const SEEDED_NAMESPACE = 'shop'
/** The stable ReplicaSet (the baseline): 2 pods. */
export const STABLE = 'web-5b9d7c6f48'
/** Canaries of 1 pod each, named for how they differ from stable. */
export const CANARY = {
  /** Identical traffic. */
  same: 'web-7d9f8c6b5',
  /** 3 % errors where stable has 1 %. */
  errors: 'web-6c8d4b9f7',
  /** 1.5 x stable's latency at every quantile. */
  slow: 'web-8d7c6b5f4',
} as const

/** Requests per second per pod, for every ReplicaSet. */
export const RPS_PER_POD = 20
export const BASELINE_ERROR_RATE = 0.01
export const WORSE_ERROR_RATE = 0.03
export const SLOWDOWN = 1.5

const latency = (factor: number) => ({
  dist: 'lognormal' as const,
  median_ms: 25 * factor,
  p99_ms: 120 * factor,
})

const traffic = (errorRate: number, slowdown: number) => ({
  rps: RPS_PER_POD,
  status: { '200': 1 - errorRate, '500': errorRate },
  latency: latency(slowdown),
  paths: { '/api/cart': 0.7, '/api/orders/17/items': 0.2, '/': 0.1 },
  methods: { GET: 0.8, POST: 0.2 },
  probes: { paths: ['/healthz'], rps: 0.5 },
})

/** The comparison template scenario with another seed: every draw of its traffic changes. */
export function seededScenario(seed: number): ScenarioInput {
  return {
    name: `comparison-seed-${seed}`,
    seed,
    history: '2m',
    namespaces: [
      {
        name: SEEDED_NAMESPACE,
        services: [],
        replicasets: [
          { name: STABLE, pods: 2, traffic: traffic(BASELINE_ERROR_RATE, 1) },
          { name: CANARY.same, pods: 1, traffic: traffic(BASELINE_ERROR_RATE, 1) },
          { name: CANARY.errors, pods: 1, traffic: traffic(WORSE_ERROR_RATE, 1) },
          { name: CANARY.slow, pods: 1, traffic: traffic(BASELINE_ERROR_RATE, SLOWDOWN) },
        ],
      },
    ],
  }
}

/**
 * A scenario's world plus its http_events over the last `seconds` before FROZEN_NOW_NS, as far as
 * Pixie's agents have pushed them when a query runs then (simulator/datasource.ts visibleEndNs).
 */
export interface EngineWorld {
  world: World
  table: EngineTable
}

export function engineWorld(scenario: ScenarioInput, seconds = 61): EngineWorld {
  const world = buildWorld(parseScenario(scenario))
  const table = generateHttpEvents(world, {
    startNs: FROZEN_NOW_NS - BigInt(seconds) * 1_000_000_000n,
    endNs: visibleEndNs(world, FROZEN_NOW_NS),
  })
  return { world, table }
}

/** Executes a function's call (its constant script and exec_funcs) as Vizier would. */
export function executeOnEngine(call: EngineCall, { world, table }: EngineWorld): ScriptResult {
  const source = {
    table: (name: string) => (name === 'http_events' ? table : undefined),
    metadata: world.metadata,
  }
  return runOnEngine(call, source, FROZEN_NOW_NS)
}

export const WINDOW_SECONDS = 60
export const ALPHA = 0.05
export const ERROR_SETTINGS: ComparisonSettings = {
  alpha: ALPHA,
  margin: ERROR_RATE_MARGIN.default,
  minRequests: 50,
  looks: 1,
  extraMargin: null,
}
export const LATENCY_SETTINGS: ComparisonSettings = {
  alpha: ALPHA,
  margin: LATENCY_MARGIN.default,
  minRequests: 50,
  looks: 1,
  extraMargin: TAIL_MARGIN.spec.default,
}

/**
 * px-canary's comparison call of two replicasets in one namespace (default: the seeded one,
 * against STABLE over WINDOW_SECONDS), with or without the latency buckets.
 */
export function replicasetComparisonCall(
  canary: string,
  latencyBuckets: boolean,
  {
    namespace = SEEDED_NAMESPACE,
    stable = STABLE,
    windowSeconds = WINDOW_SECONDS,
  }: { namespace?: string; stable?: string; windowSeconds?: number } = {}
) {
  const rs = (replicaset: string): Selector => ({ kind: 'replicaset', namespace, replicaset })
  return buildComparisonCall(
    {
      selector: rs(canary),
      baseline: rs(stable),
      windowSeconds,
      excludedPaths: DEFAULT_EXCLUDED_PATHS,
      errorMinStatus: 400,
    },
    'px-canary/test',
    { latencyBuckets }
  )
}

/** The error-rate comparison of `canary` against STABLE, judged on the engine. */
export function errorRateOn(world: EngineWorld, canary: string) {
  const c = replicasetComparisonCall(canary, false)
  const sides = decodeComparison(executeOnEngine(c, world), c.comparison)
  return errorRateComparison(sides.canary.stats, sides.baseline.stats, ERROR_SETTINGS)
}

/** The p99 latency comparison of `canary` against STABLE, judged on the engine. */
export function latencyOn(world: EngineWorld, canary: string) {
  const c = replicasetComparisonCall(canary, true)
  const sides = decodeComparison(executeOnEngine(c, world), c.comparison)
  return latencyComparison(sides, 'p99', LATENCY_SETTINGS)
}
