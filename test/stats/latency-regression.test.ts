// The tail regression of scenarios/latency-regression.json through the latency function's exact
// PxL call on the simulator's engine, decoded like the function decodes Pixie's answer, and judged
// by the rollout verdict: a canary faster at the median but with 3 % of its requests at 6 s is
// worse (decided by the tail), and a canary identical to stable is not.
import { describe, expect, it } from 'vitest'
import { decodeComparison } from '../../shared/comparison'
import { latencyRolloutVerdict } from '../../shared/stats/rollout-verdict'
import { engineWorld, executeOnEngine, replicasetComparisonCall } from '../comparison/engine'
import { readScenario } from '../scenarios/stack'

const WINDOW_SECONDS = 300
const STABLE = 'canary-demo-5b9d7c6f48'
const TAIL = 'canary-demo-9c7b5d8f6'
const SAME = 'canary-demo-7d9f8c6b5'

const world = engineWorld(readScenario('latency-regression'), WINDOW_SECONDS + 1)

function judge(canary: string) {
  const call = replicasetComparisonCall(canary, true, {
    namespace: 'default',
    stable: STABLE,
    windowSeconds: WINDOW_SECONDS,
  })
  const sides = decodeComparison(executeOnEngine(call, world), call.comparison)
  return latencyRolloutVerdict(sides.canary.buckets!, sides.baseline.buckets!, {
    quantile: 0.99,
    alpha: 0.05,
    looks: 10,
  })
}

describe('the latency-regression scenario through the PxL path', () => {
  it('should call the 6 s tail worse at p99, decided by the tail', () => {
    const v = judge(TAIL)
    expect(v.verdict).toBe('worse')
    expect(v.decidedBy).toBe('tail')
    // About 3,000 canary requests in 5 minutes at 10 rps, 3 % of them at 6 s.
    expect(v.tail!.canary.requests).toBeGreaterThan(2700)
    expect(v.tail!.canary.share).toBeGreaterThan(0.02)
    expect(v.location!.medianRatio).toBeLessThan(0.5)
    expect(v.quantileRatioInterval!.lower).toBeGreaterThan(10)
  })

  it('should call a canary identical to stable not_worse', () => {
    const v = judge(SAME)
    expect(v.verdict).toBe('not_worse')
    expect(v.quantileRatioInterval!.lower).toBeLessThan(1)
  })
})
