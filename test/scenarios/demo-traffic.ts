/**
 * The demo's traffic as the manifests make it, for the replay (`npm run demo`, test/scenarios) and
 * the wiring tests: the load generator's rate and target (canary/examples/load-generator.yaml), the
 * pod counts Argo gives each ReplicaSet at a setWeight without traffic routing, and the Services as
 * Argo leaves them. The simulator scenario is rewritten from these, so the replay measures the
 * traffic a cluster following the README would see, not numbers of its own. The simulator's rates
 * are fixed per ReplicaSet, so the replay keeps the first setWeight's split for the whole rollout:
 * later steps only give the canary more pods and more requests, so the first is the one that must
 * clear min-requests.
 */
import { join } from 'node:path'
import type { ScenarioInput } from '../../simulator/scenario'
import { renderKustomization } from '../manifests/kustomize'
import type { KubeObject } from '../manifests/kustomize'
import type { RolloutManifest } from '../argo-emulator/rollout'
import { REPO_ROOT } from './stack'

/** The canary/ kustomization as kustomize renders it. */
export const canaryObjects = (): KubeObject[] => renderKustomization(join(REPO_ROOT, 'canary'))

export interface DemoLoad {
  /** The Deployment running the generator. */
  deployment: string
  /** Pod labels of the generator itself. */
  podLabels: Record<string, string>
  /** The Service it calls (short name: same namespace), the port and the path. */
  service: string
  port: number
  path: string
  /** Requests per second, in total over all its connections. */
  qps: number
  /** Whether a connection is reused across requests. */
  keepAlive: boolean
}

interface Container {
  image?: string
  args?: string[]
}

/** Reads the fortio Deployment's flags (`-name=value` or a bare `-name`) and its target URL. */
export function parseLoadGenerator(objects: readonly KubeObject[]): DemoLoad {
  for (const object of objects) {
    if (object.kind !== 'Deployment') continue
    const template = (
      object.spec as {
        template: {
          metadata?: { labels?: Record<string, string> }
          spec: { containers: Container[] }
        }
      }
    ).template
    const container = template.spec.containers.find((c) => c.image?.startsWith('fortio/fortio:'))
    if (container === undefined) continue
    const [command, ...rest] = container.args ?? []
    if (command !== 'load') throw new Error(`${object.metadata?.name}: fortio ${command}, not load`)
    const flags = new Map<string, string>()
    const targets: string[] = []
    for (const arg of rest) {
      const flag = /^-([\w.-]+)(?:=(.*))?$/.exec(arg)
      if (flag === null) targets.push(arg)
      else flags.set(flag[1] as string, flag[2] ?? 'true')
    }
    const [target, ...extra] = targets
    if (target === undefined || extra.length > 0) throw new Error('expected exactly one target URL')
    const url = new URL(target)
    const qps = Number(flags.get('qps'))
    if (!(qps > 0)) throw new Error('the load generator needs a fixed -qps above 0')
    return {
      deployment: object.metadata?.name ?? '',
      podLabels: template.metadata?.labels ?? {},
      service: url.hostname,
      port: url.port === '' ? 80 : Number(url.port),
      path: url.pathname,
      qps,
      keepAlive: flags.get('keepalive') !== 'false',
    }
  }
  throw new Error('no fortio load Deployment found')
}

/**
 * Pod counts of the canary and stable ReplicaSets once a setWeight step is reached without traffic
 * routing: both counts are rounded up, the controller surging by one when the weight does not
 * divide the replicas evenly (argoproj/argo-rollouts utils/replicaset/canary.go,
 * CalculateReplicaCountsForCanary and extraReplicaAdded).
 */
export function basicCanaryReplicas(
  replicas: number,
  weight: number
): { canary: number; stable: number } {
  return {
    canary: Math.ceil((replicas * weight) / 100),
    stable: Math.ceil(replicas * (1 - weight / 100)),
  }
}

/** The first setWeight of the Rollout's steps: the weight the analysis first measures at. */
export function firstWeight(rollout: RolloutManifest): number {
  const step = (rollout.spec.strategy.canary?.steps ?? []).find((s) => s.setWeight !== undefined)
  if (step?.setWeight === undefined) throw new Error('the Rollout has no setWeight step')
  return step.setWeight
}

export type ServiceRole = 'unmanaged' | 'stable' | 'canary'

/** Each v1 Service and what Argo makes of it: named as stableService or canaryService, or neither. */
export function serviceRoles(
  objects: readonly KubeObject[],
  rollout: RolloutManifest
): Map<string, ServiceRole> {
  const canary = rollout.spec.strategy.canary as { stableService?: string; canaryService?: string }
  const roles = new Map<string, ServiceRole>()
  for (const object of objects) {
    if (object.apiVersion !== 'v1' || object.kind !== 'Service') continue
    const name = object.metadata?.name ?? ''
    roles.set(
      name,
      name === canary.stableService
        ? 'stable'
        : name === canary.canaryService
          ? 'canary'
          : 'unmanaged'
    )
  }
  return roles
}

export interface DemoTrafficOptions {
  namespace: string
  stableHash: string
  /** The canary ReplicaSets the replay plays (one rollout each). */
  canaryHashes: readonly string[]
}

/**
 * `base` with the Rollout's ReplicaSets in `namespace` given the pod counts of the first setWeight
 * and an equal share each of the load generator's rate (the unmanaged Service spreads connections
 * over all pods), and the namespace's Services replaced by the manifests' Services with the
 * ReplicaSets Argo makes them select.
 */
export function demoScenario(
  base: ScenarioInput,
  objects: readonly KubeObject[],
  rollout: RolloutManifest,
  options: DemoTrafficOptions
): ScenarioInput {
  const load = parseLoadGenerator(objects)
  const roles = serviceRoles(objects, rollout)
  if (roles.get(load.service) !== 'unmanaged') {
    throw new Error(
      `the load generator calls ${load.service}, which is not a Service Argo leaves alone`
    )
  }
  const replicas = (rollout.spec.replicas as number | undefined) ?? 1
  const { canary, stable } = basicCanaryReplicas(replicas, firstWeight(rollout))
  const perPod = load.qps / (canary + stable)
  const name = rollout.metadata.name
  const stableRs = `${name}-${options.stableHash}`
  const canaryRss = options.canaryHashes.map((h) => `${name}-${h}`)
  const scenario = structuredClone(base)
  const namespace = scenario.namespaces?.find((n) => n.name === options.namespace)
  if (namespace === undefined) throw new Error(`scenario has no namespace ${options.namespace}`)
  for (const rs of namespace.replicasets ?? []) {
    const pods = rs.name === stableRs ? stable : canaryRss.includes(rs.name) ? canary : undefined
    if (pods === undefined) continue
    rs.pods = pods
    rs.traffic = { ...rs.traffic, rps: perPod }
  }
  const selected: Record<ServiceRole, string[]> = {
    unmanaged: [stableRs, ...canaryRss],
    stable: [stableRs],
    canary: canaryRss,
  }
  namespace.services = [...roles].map(([service, role]) => ({
    name: service,
    selector: { replicasets: selected[role], pods: [] },
  }))
  return scenario
}
