/**
 * The small scenario the simulator's server, front-door and in-cluster client tests run on (one
 * service `web` over one replicaset of two pods at 5 rps in `default`), and px-canary's real stats
 * call for that replicaset.
 */
import { buildHttpStatsCall } from '../../shared/pxl/request'
import type { PxlCall } from '../../shared/pxl/request'
import { DEFAULT_EXCLUDED_PATHS } from '../../shared/pxl/exclusion'
import type { ScenarioInput } from '../../simulator/scenario'

export const WEB_REPLICASET = 'web-6d4b9c7f8'

/** The web scenario, named and seeded per test file, with these status weights. */
export function webScenario(
  name: string,
  seed: number,
  status: Record<string, number>
): ScenarioInput {
  return {
    name,
    seed,
    history: '5m',
    namespaces: [
      {
        name: 'default',
        services: [{ name: 'web', selector: { replicasets: [WEB_REPLICASET] } }],
        replicasets: [{ name: WEB_REPLICASET, pods: 2, traffic: { rps: 5, status } }],
      },
    ],
  }
}

/** The stats call for the web replicaset over 60 s, default exclusions, errors = 5xx. */
export function webStatsCall(queryName: string): PxlCall {
  return buildHttpStatsCall(
    {
      selector: { kind: 'replicaset', namespace: 'default', replicaset: WEB_REPLICASET },
      windowSeconds: 60,
      excludedPaths: DEFAULT_EXCLUDED_PATHS,
      errorMinStatus: 500,
    },
    queryName
  )
}
