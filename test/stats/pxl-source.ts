/**
 * The rollout simulation's traffic through the real data path: each case becomes a Vizier
 * simulator scenario (one stable and one canary pod at the case's rates, error rates and latency
 * distributions), its http_events come from the simulator's own generator and sliding store
 * (simulator/datasource.ts TrafficStore), and every look runs the functions' exact comparison
 * call (shared/comparison.ts buildComparisonCall, the PxL the functions send) on the simulator's
 * PxL engine with that look's end as "now", as Pixie holds the rows then (push lag included),
 * decoded as the functions decode Pixie's answer. The looks then go to the same rollout verdicts
 * the functions' comparison modules call.
 *
 * Slower than the synthetic source (the engine scans every row of each window), so `npm run
 * stats` runs it on fewer seeds.
 */
import { buildComparisonCall, decodeComparison } from '../../shared/comparison'
import { DEFAULT_EXCLUDED_PATHS } from '../../shared/pxl/exclusion'
import type { Selector } from '../../shared/selector'
import { TrafficStore } from '../../simulator/datasource'
import { executePxl } from '../../simulator/pxl'
import { parseScenario } from '../../simulator/scenario'
import type { ScenarioInput } from '../../simulator/scenario'
import { buildWorld } from '../../simulator/topology'
import { asResultTable, ENGINE_NOW_NS } from '../helpers/engine'
import type { Look, LookPlan, RolloutCase, RolloutSource, SideModel } from './rollout-fpr'

const NAMESPACE = 'stats'
const STABLE = 'web-5b9d7c6f48'
const CANARY = 'web-7d9f8c6b5'
const NS_PER_S = 1_000_000_000n

function traffic(side: SideModel) {
  const status: Record<string, number> =
    side.errorRate > 0 ? { '200': 1 - side.errorRate, '500': side.errorRate } : { '200': 1 }
  return {
    rps: side.rps,
    status,
    // A case judged on errors alone still needs latencies in the simulator; they are not used.
    latency: side.latency?.spec ?? ({ dist: 'constant', ms: 25 } as const),
    paths: { '/api': 1 },
    methods: { GET: 1 },
  }
}

/** The case as a simulator scenario: one pod per side, history covering a window and a look. */
export function caseScenario(spec: RolloutCase, plan: LookPlan, seed: number): ScenarioInput {
  return {
    name: `rollout-${seed}`,
    seed,
    history: `${plan.windowSeconds + plan.intervalSeconds + 30}s`,
    namespaces: [
      {
        name: NAMESPACE,
        services: [],
        replicasets: [
          { name: STABLE, pods: 1, traffic: traffic(spec.baseline) },
          { name: CANARY, pods: 1, traffic: traffic(spec.canary) },
        ],
      },
    ],
  }
}

const rs = (replicaset: string): Selector => ({
  kind: 'replicaset',
  namespace: NAMESPACE,
  replicaset,
})

export const pxlSource: RolloutSource = {
  rollout(spec, plan, seed) {
    const world = buildWorld(parseScenario(caseScenario(spec, plan, seed)))
    const store = new TrafficStore(world)
    const call = buildComparisonCall(
      {
        selector: rs(CANARY),
        baseline: rs(STABLE),
        windowSeconds: plan.windowSeconds,
        excludedPaths: DEFAULT_EXCLUDED_PATHS,
        errorMinStatus: 400,
      },
      'px-canary/stats',
      { latencyBuckets: spec.canary.latency !== null }
    )
    const looks: Look[] = []
    for (let i = 0; i < plan.looks; i++) {
      const nowNs = ENGINE_NOW_NS + BigInt(i * plan.intervalSeconds) * NS_PER_S
      const tables = executePxl(call.options.script, {
        source: store.snapshot(nowNs).source,
        execFuncs: call.options.execFuncs ?? [],
        nowNs,
      })
      const result = {
        queryId: 'stats',
        tables: new Map(tables.map((t) => [t.name, asResultTable(t)])),
      }
      const sides = decodeComparison(result, call.comparison)
      const side = (s: typeof sides.canary) => ({
        requests: s.stats.requests,
        errors: s.stats.errors,
        buckets: s.buckets === null ? [] : [...s.buckets],
      })
      looks.push({ canary: side(sides.canary), baseline: side(sides.baseline) })
    }
    return looks
  },
}
