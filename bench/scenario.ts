/**
 * The scenario the bench runs against: one namespace with a stable and a canary replicaset behind
 * a service, steady traffic with some errors, probes on a health path. Rates are modest at x1 so
 * that x100 (the scaling figure) still fits the simulator's history comfortably.
 */
import type { ScenarioInput } from '../simulator/scenario'

export const BENCH_NAMESPACE = 'default'
export const BENCH_REPLICASET = 'web-canary-6d8f9c7b5'

export const benchScenario: ScenarioInput = {
  name: 'bench',
  description: 'px-canary benchmark: a stable and a canary replicaset serving steady traffic',
  seed: 20261124,
  history: '2m',
  multiplier: 1,
  max_rows: 1_000_000,
  namespaces: [
    {
      name: BENCH_NAMESPACE,
      services: [
        {
          name: 'web',
          selector: { replicasets: ['web-stable-7c9d8b6f4', BENCH_REPLICASET], pods: [] },
        },
      ],
      replicasets: [
        {
          name: 'web-stable-7c9d8b6f4',
          pods: 2,
          traffic: {
            rps: 5,
            status: { '200': 98, '500': 2 },
            latency: { dist: 'lognormal', median_ms: 20, p99_ms: 120 },
            probes: { paths: ['/healthz'], rps: 0.2 },
          },
        },
        {
          name: BENCH_REPLICASET,
          pods: 1,
          traffic: {
            rps: 5,
            status: { '200': 95, '404': 2, '503': 3 },
            latency: { dist: 'lognormal', median_ms: 25, p99_ms: 180 },
            probes: { paths: ['/healthz'], rps: 0.2 },
          },
        },
      ],
    },
  ],
}
