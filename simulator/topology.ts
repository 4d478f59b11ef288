/**
 * Turns a scenario into concrete pods: names, process ids (upid), pod ids, nodes, IPs and the
 * services each pod backs, plus the MetadataResolver the PxL engine uses for df.ctx[...].
 * Everything is derived from the scenario seed, so the same scenario always yields the same pods.
 */
import type { MetadataResolver } from './pxl/types'
import { hashSeed, randomString, randomUuid, rngFor } from './prng'
import type { z } from 'zod'
import type {
  GrpcSchema,
  LatencySpec,
  MysqlSchema,
  ReplicaSetSpec,
  Scenario,
  TrafficInput,
} from './scenario'

/** Inbound gRPC calls with defaults applied (scenario GrpcSchema). */
export type GrpcTraffic = z.output<typeof GrpcSchema>
/** Outbound MySQL queries with defaults applied (scenario MysqlSchema). */
export type MysqlTraffic = z.output<typeof MysqlSchema>

/** The alphabet Kubernetes uses for generated name suffixes (no vowels, no look-alikes). */
const K8S_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'

export interface ProbesTraffic {
  paths: string[]
  rps: number
  status: Record<string, number>
  latency: LatencySpec
}

export interface ClientTraffic {
  rps: number
  status: Record<string, number>
  latency: LatencySpec
  paths: Record<string, number>
  methods: Record<string, number>
  remote_addr: string
  remote_port: number
}

/** A pod's traffic with every default applied. */
export interface Traffic {
  rps: number
  status: Record<string, number>
  latency: LatencySpec
  paths: Record<string, number>
  methods: Record<string, number>
  probes: ProbesTraffic | undefined
  client: ClientTraffic | undefined
  grpc: GrpcTraffic | undefined
  mysql: MysqlTraffic | undefined
}

export interface SimPod {
  /** Position in World.pods; stable for a scenario. */
  index: number
  namespace: string
  name: string
  replicaset: string
  /** 'ns/<deployment>' for Deployment-owned pods, '' for Argo Rollout pods (as Pixie reports). */
  deployment: string
  container: string
  node: string
  /** The process id of the pod's server process, a UINT128 rendered as a UUID. */
  upid: string
  podId: string
  ip: string
  nodeIp: string
  /** Names of the services selecting this pod, without namespace. */
  services: string[]
  traffic: Traffic
  /** When the pod started (ns); no rows before it. Undefined: it has always run. */
  startedNs?: bigint
}

export interface World {
  scenario: Scenario
  pods: SimPod[]
  metadata: MetadataResolver
  /** Pods by upid. */
  byUpid: Map<string, SimPod>
}

const DEFAULT_TRAFFIC: Omit<Traffic, 'probes' | 'client' | 'grpc' | 'mysql'> = {
  rps: 0,
  status: { '200': 1 },
  latency: { dist: 'constant', ms: 10 },
  paths: { '/': 1 },
  methods: { GET: 1 },
}

/** Merges a pod's traffic overrides over its replicaset's, then applies defaults. */
export function resolveTraffic(rs: TrafficInput, pod: TrafficInput | undefined): Traffic {
  const merged: TrafficInput = { ...rs, ...(pod ?? {}) }
  return {
    rps: merged.rps ?? DEFAULT_TRAFFIC.rps,
    status: merged.status ?? DEFAULT_TRAFFIC.status,
    latency: merged.latency ?? DEFAULT_TRAFFIC.latency,
    paths: merged.paths ?? DEFAULT_TRAFFIC.paths,
    methods: merged.methods ?? DEFAULT_TRAFFIC.methods,
    probes: merged.probes,
    client: merged.client,
    grpc: merged.grpc,
    mysql: merged.mysql,
  }
}

/** Renders a UINT128 (high, low) as Pixie's clients do: 8-4-4-4-12 hex, big-endian high then low. */
export function uint128ToUuid(high: bigint, low: bigint): string {
  const hex = high.toString(16).padStart(16, '0') + low.toString(16).padStart(16, '0')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** Parses a UUID string back into its UINT128 halves. */
export function uuidToUint128(uuid: string): { high: bigint; low: bigint } {
  const hex = uuid.replace(/-/g, '')
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`not a UUID: '${uuid}'`)
  return { high: BigInt(`0x${hex.slice(0, 16)}`), low: BigInt(`0x${hex.slice(16)}`) }
}

function podNamesFor(seed: number, namespace: string, rs: ReplicaSetSpec, taken: Set<string>) {
  const specs = Array.isArray(rs.pods) ? rs.pods : Array.from({ length: rs.pods }, () => ({}))
  return specs.map((spec: { name?: string }, i) => {
    if (spec.name !== undefined) return spec.name
    const rng = rngFor(seed, 'pod-name', namespace, rs.name, i)
    let name = `${rs.name}-${randomString(rng, K8S_SUFFIX_ALPHABET, 5)}`
    while (taken.has(name)) name = `${rs.name}-${randomString(rng, K8S_SUFFIX_ALPHABET, 5)}`
    taken.add(name)
    return name
  })
}

/** Builds the pods of a scenario and their metadata. */
export function buildWorld(scenario: Scenario): World {
  const pods: SimPod[] = []
  const nodes = scenario.nodes
  for (const ns of scenario.namespaces) {
    const taken = new Set<string>()
    for (const rs of ns.replicasets) {
      if (Array.isArray(rs.pods)) rs.pods.forEach((p) => p.name && taken.add(p.name))
    }
    for (const rs of ns.replicasets) {
      const names = podNamesFor(scenario.seed, ns.name, rs, taken)
      names.forEach((name, i) => {
        const spec = Array.isArray(rs.pods) ? rs.pods[i] : undefined
        const index = pods.length
        const nodeIndex = spec?.node ? Math.max(0, nodes.indexOf(spec.node)) : index % nodes.length
        const node = spec?.node ?? nodes[nodeIndex] ?? 'sim-node-1'
        const rng = rngFor(scenario.seed, 'pod', ns.name, name)
        // UPID: high = asid << 32 | pid, low = process start time in ticks (Pixie's layout).
        const asid = BigInt(nodeIndex + 1)
        const pid = BigInt(1000 + (hashSeed(scenario.seed, 'pid', ns.name, name) % 60000))
        const startTicks = BigInt(1_000_000 + Math.floor(rng() * 1e9))
        const services = ns.services
          .filter((s) => s.selector.replicasets.includes(rs.name) || s.selector.pods.includes(name))
          .map((s) => s.name)
        pods.push({
          index,
          namespace: ns.name,
          name,
          replicaset: rs.name,
          deployment: rs.deployment ? `${ns.name}/${rs.deployment}` : '',
          container: rs.container ?? 'app',
          node,
          upid: uint128ToUuid((asid << 32n) | pid, startTicks),
          podId: randomUuid(rng),
          ip: `10.244.${nodeIndex}.${(index % 250) + 2}`,
          nodeIp: `10.0.0.${nodeIndex + 10}`,
          services,
          traffic: resolveTraffic(rs.traffic, spec?.traffic),
          ...(spec?.started_at === undefined
            ? {}
            : { startedNs: BigInt(spec.started_at) * 1_000_000_000n }),
        })
      })
    }
  }
  const byUpid = new Map(pods.map((p) => [p.upid, p]))
  return { scenario, pods, byUpid, metadata: metadataResolver(byUpid) }
}

/** ctx['service'] for a pod: '' (none), 'ns/svc' (one) or a JSON array string (several). */
export function serviceValue(pod: SimPod): string {
  const qualified = pod.services.map((s) => `${pod.namespace}/${s}`)
  if (qualified.length === 0) return ''
  if (qualified.length === 1) return qualified[0] ?? ''
  return JSON.stringify(qualified)
}

/** Resolves df.ctx[...] keys from a upid in Pixie's formats; '' for unknown processes. */
export function metadataResolver(byUpid: Map<string, SimPod>): MetadataResolver {
  return {
    resolve(key, upid) {
      const pod = byUpid.get(upid)
      if (!pod) return ''
      switch (key) {
        case 'pod':
          return `${pod.namespace}/${pod.name}`
        case 'service':
          return serviceValue(pod)
        case 'replicaset':
          return `${pod.namespace}/${pod.replicaset}`
        case 'namespace':
          return pod.namespace
        case 'deployment':
          return pod.deployment
        case 'node':
          return pod.node
        case 'container':
          return pod.container
        case 'pod_id':
          return pod.podId
        default:
          return ''
      }
    },
  }
}
