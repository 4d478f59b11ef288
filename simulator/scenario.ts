/**
 * The scenario file format: a seeded, declarative description of a cluster's workloads and the
 * HTTP traffic each pod serves. Validated with zod so a typo in a scenario fails loudly with the
 * path of the bad field instead of silently generating different traffic. The format is
 * documented field by field in simulator/README.md.
 */
import { readFileSync } from 'node:fs'
import { z } from 'zod'

/** A DNS-1123 label, as Kubernetes requires for namespace, service and pod names. */
const dnsLabel = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-1123 label (lowercase, digits, -)')

/** A DNS-1123 subdomain (replicaset and pod names may contain dots). */
const dnsName = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS-1123 name (lowercase, digits, -, .)')

const DURATION_UNITS_NS: Record<string, bigint> = {
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
}

/** Parses '90s', '15m', '1h', '500ms' into nanoseconds; throws on anything else. */
export function parseDurationNs(text: string): bigint {
  const match = /^(\d+)(ms|s|m|h)$/.exec(text)
  if (!match) throw new Error(`invalid duration '${text}' (use e.g. 500ms, 90s, 15m, 1h)`)
  return BigInt(match[1] ?? '0') * (DURATION_UNITS_NS[match[2] ?? 's'] ?? 0n)
}

const duration = z.string().regex(/^\d+(ms|s|m|h)$/, 'must be a duration such as 90s, 15m or 1h')

/** Weights by key; they need not sum to 1 (they are normalised) but must not all be zero. */
const weights = (key: z.ZodString) =>
  z
    .record(key, z.number().nonnegative())
    .refine((w) => Object.values(w).some((v) => v > 0), 'needs at least one positive weight')

const statusMix = weights(z.string().regex(/^(-1|[1-5]\d\d)$/, 'must be an HTTP status code'))

const LognormalLatency = z
  .strictObject({
    dist: z.literal('lognormal'),
    median_ms: z.number().positive(),
    p99_ms: z.number().positive(),
  })
  .refine((l) => l.p99_ms >= l.median_ms, 'p99_ms must be >= median_ms')
const ConstantLatency = z.strictObject({
  dist: z.literal('constant'),
  ms: z.number().nonnegative(),
})
const UniformLatency = z
  .strictObject({
    dist: z.literal('uniform'),
    min_ms: z.number().nonnegative(),
    max_ms: z.number().nonnegative(),
  })
  .refine((l) => l.max_ms >= l.min_ms, 'max_ms must be >= min_ms')

/** One latency distribution (not a mixture): what a mixture is made of. */
export const SimpleLatencySchema = z.discriminatedUnion('dist', [
  LognormalLatency,
  ConstantLatency,
  UniformLatency,
])

/**
 * A request's latency: one distribution, or a mixture of them, e.g. a fast body plus a few
 * percent of requests stuck behind a slow dependency (a tail regression).
 */
export const LatencySchema = z.discriminatedUnion('dist', [
  LognormalLatency,
  ConstantLatency,
  UniformLatency,
  z.strictObject({
    dist: z.literal('mixture'),
    /** Components with weights; weights need not sum to 1 (they are normalised). */
    components: z
      .array(z.strictObject({ weight: z.number().positive(), latency: SimpleLatencySchema }))
      .min(1),
  }),
])
export type LatencySpec = z.infer<typeof LatencySchema>

/** Kubelet health probes: separate traffic on probe paths, excluded by the metrics. */
export const ProbesSchema = z.strictObject({
  paths: z.array(z.string().startsWith('/')).min(1).default(['/healthz']),
  rps: z.number().nonnegative(),
  status: statusMix.default({ '200': 1 }),
  latency: LatencySchema.default({ dist: 'constant', ms: 1 }),
})

/** Outbound calls the pod makes to endpoints outside the cluster: rows with trace_role 1. */
export const ClientSchema = z.strictObject({
  rps: z.number().nonnegative(),
  status: statusMix.default({ '200': 1 }),
  latency: LatencySchema.default({ dist: 'constant', ms: 50 }),
  paths: weights(z.string().startsWith('/')).default({ '/': 1 }),
  methods: weights(z.string().min(1)).default({ GET: 1 }),
  remote_addr: z.string().default('52.94.236.248'),
  remote_port: z.number().int().min(1).max(65535).default(443),
})

/**
 * Inbound gRPC calls the pod serves (Go gRPC, the only gRPC Pixie traces): rows of http_events
 * with major_version 2, content_type 2, resp_status 200, and the call's grpc-status in
 * resp_headers (pixie-io/pixie src/stirling/source_connectors/socket_tracer/http_table.h,
 * grpc_trace_bpf_test.cc).
 */
export const GrpcSchema = z.strictObject({
  /** Calls per second, per pod, before the traffic multiplier. */
  rps: z.number().nonnegative(),
  /** Weights of `/<package>.<Service>/<Method>` paths. */
  methods: weights(
    z.string().regex(/^\/[A-Za-z0-9_.]+\/[A-Za-z0-9_]+$/, 'must be /<package>.<Service>/<Method>')
  ).default({ '/demo.v1.Greeter/SayHello': 1 }),
  /** Weights of grpc-status codes 0 (OK) to 16 (UNAUTHENTICATED). */
  status: weights(z.string().regex(/^([0-9]|1[0-6])$/, 'must be a gRPC status code 0-16')).default({
    '0': 1,
  }),
  latency: LatencySchema.default({ dist: 'constant', ms: 5 }),
})

/**
 * MySQL queries the pod sends (its outbound database calls): rows of mysql_events with trace_role
 * 1 under the pod (pixie-io/pixie src/stirling/source_connectors/socket_tracer/mysql_table.h).
 * Pixie traces MySQL on both sides (conn_tracker.cc), so when `server_pod` names a pod of the same
 * namespace, each query is also a trace_role 2 row under that pod.
 */
export const MysqlSchema = z.strictObject({
  /** Queries per second, per pod, before the traffic multiplier. */
  qps: z.number().nonnegative(),
  /** Fraction of queries answered with an error packet (resp_status 3). */
  error_rate: z.number().min(0).max(1).default(0),
  /** Weights of the error messages of failed queries (resp_body). */
  errors: weights(z.string().min(1)).default({
    '1213 (40001): Deadlock found when trying to get lock; try restarting transaction': 1,
  }),
  /** Weights of the query texts (req_body, sent as COM_QUERY). */
  queries: weights(z.string().min(1)).default({ 'SELECT * FROM orders WHERE id = ?': 1 }),
  latency: LatencySchema.default({ dist: 'constant', ms: 2 }),
  remote_addr: z.string().default('10.96.0.30'),
  remote_port: z.number().int().min(1).max(65535).default(3306),
  server_pod: dnsName.optional(),
})

/**
 * The traffic one pod serves. Every field is optional so a pod can override only what differs
 * from its replicaset; defaults apply after merging (see resolveTraffic).
 */
export const TrafficSchema = z.strictObject({
  /** Inbound requests per second, per pod, before the traffic multiplier. */
  rps: z.number().nonnegative().optional(),
  status: statusMix.optional(),
  latency: LatencySchema.optional(),
  paths: weights(z.string().startsWith('/')).optional(),
  methods: weights(z.string().min(1)).optional(),
  probes: ProbesSchema.optional(),
  client: ClientSchema.optional(),
  grpc: GrpcSchema.optional(),
  mysql: MysqlSchema.optional(),
})
export type TrafficInput = z.infer<typeof TrafficSchema>

export const PodSchema = z.strictObject({
  name: dnsName.optional(),
  node: z.string().min(1).optional(),
  traffic: TrafficSchema.optional(),
  /** Unix seconds when the pod started: it serves nothing before, and is new for a while. */
  started_at: z.number().int().nonnegative().optional(),
})

export const ReplicaSetSchema = z.strictObject({
  name: dnsName,
  /** Owning Deployment, when not an Argo Rollout: ctx['deployment'] then resolves to 'ns/<name>'. */
  deployment: dnsName.optional(),
  container: dnsLabel.optional(),
  /** A pod count (names generated as '<rs>-<5 chars>') or explicit pods. */
  pods: z.union([z.number().int().min(0).max(1000), z.array(PodSchema)]),
  traffic: TrafficSchema.default({}),
})

export const ServiceSchema = z.strictObject({
  name: dnsLabel,
  selector: z
    .strictObject({
      replicasets: z.array(dnsName).default([]),
      pods: z.array(dnsName).default([]),
    })
    .refine((s) => s.replicasets.length + s.pods.length > 0, 'selects nothing'),
})

export const NamespaceSchema = z.strictObject({
  name: dnsLabel,
  services: z.array(ServiceSchema).default([]),
  replicasets: z.array(ReplicaSetSchema).default([]),
})

export const FaultsSchema = z.strictObject({
  /** Delay before the first response message of every ExecuteScript call. */
  latency_ms: z.number().int().nonnegative().optional(),
  /** One failure mode applied to every ExecuteScript call. */
  error: z.enum(['unavailable', 'unauthenticated', 'reset', 'hang']).optional(),
  /** For error 'reset': how many response messages are sent before RST_STREAM. */
  reset_after_messages: z.number().int().nonnegative().optional(),
})
export type FaultsInput = z.infer<typeof FaultsSchema>

/**
 * How Pixie's data reaches a query (see README "Freshness"): Stirling's socket tracer pushes rows
 * to the table store once per push period, and a query's window starts at compile time and ends
 * at the last row pushed when execution opens the table.
 */
/** PL_TABLE_STORE_DATA_LIMIT_MB as deployed (60 % of the 2Gi PEM request) x 40 % for http_events. */
export const HTTP_EVENTS_DEFAULT_BYTES = Math.floor((40 * 1228 * 1024 * 1024) / 100)

export const PixieSchema = z.strictObject({
  /** Socket tracer push period, kPushPeriod (pixie-io/pixie socket_trace_connector.cc). */
  push_period_ms: z.number().int().positive().default(1000),
  /** Offset of the push ticks within the period; default derived from the seed. */
  push_phase_ms: z.number().int().nonnegative().optional(),
  /** From compilation (px.now()) to the PEMs opening their tables. */
  exec_delay_ms: z.number().int().nonnegative().default(50),
  /**
   * Bytes each node's http_events table holds before its oldest rows expire: 40 % of the table
   * store's 1228 MB (pixie-io/pixie src/vizier/services/agent/pem/pem_manager.cc,
   * src/cloud/config_manager/controllers/server.go), 515,060,531 B.
   */
  http_events_bytes: z.number().int().positive().default(HTTP_EVENTS_DEFAULT_BYTES),
  /**
   * How long after a pod starts its metadata is still unresolved, so ctx['pod'], ['service'],
   * ['replicaset'] (and the other pod fields) read '' for its rows. The real delay is not
   * documented; 5 s is an assumption.
   */
  metadata_delay_ms: z.number().int().nonnegative().default(5000),
  /**
   * Vizier's data access mode (Vizier CR spec.dataAccess). Restricted replaces the sensitive
   * columns with 'REDACTED' (pixie-io/pixie src/carnot/planner/logical_planner.cc lists them,
   * src/carnot/planner/compiler/analyzer/restrict_columns_rule.cc RedactAllData). PIIRestricted
   * (a best-effort PII scrub) is not modelled.
   */
  data_access: z.enum(['Full', 'Restricted']).default('Full'),
})
export type PixieSettings = z.output<typeof PixieSchema>

export const ScenarioSchema = z
  .strictObject({
    name: z.string().min(1),
    description: z.string().optional(),
    /** Seed for every random draw; the same seed gives the same rows for the same time range. */
    seed: z.number().int().nonnegative(),
    /** How much history before "now" the http_events table holds. */
    history: duration.default('15m'),
    /** Scales inbound and client-side request rates (probes stay as they are). */
    multiplier: z.number().positive().default(1),
    /** Cap on the rows the table holds; history is trimmed to stay below it (see README). */
    max_rows: z.number().int().positive().default(500_000),
    /** Encrypt row batches when the request asks for it (encryption_options set). */
    encrypt: z.boolean().default(false),
    faults: FaultsSchema.default({}),
    pixie: PixieSchema.default({
      push_period_ms: 1000,
      exec_delay_ms: 50,
      http_events_bytes: HTTP_EVENTS_DEFAULT_BYTES,
      metadata_delay_ms: 5000,
      data_access: 'Full',
    }),
    nodes: z.array(z.string().min(1)).min(1).default(['sim-node-1']),
    namespaces: z.array(NamespaceSchema).min(1),
  })
  .superRefine((scenario, ctx) => {
    scenario.namespaces.forEach((ns, n) => {
      const rsNames = new Set<string>()
      const podNames = new Set<string>()
      ns.replicasets.forEach((rs, r) => {
        if (rsNames.has(rs.name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['namespaces', n, 'replicasets', r, 'name'],
            message: `duplicate replicaset '${rs.name}' in namespace '${ns.name}'`,
          })
        }
        rsNames.add(rs.name)
        if (Array.isArray(rs.pods)) {
          rs.pods.forEach((p, i) => {
            if (p.name === undefined) return
            if (podNames.has(p.name)) {
              ctx.addIssue({
                code: 'custom',
                path: ['namespaces', n, 'replicasets', r, 'pods', i, 'name'],
                message: `duplicate pod '${p.name}' in namespace '${ns.name}'`,
              })
            }
            podNames.add(p.name)
          })
        }
      })
      ns.services.forEach((svc, s) => {
        svc.selector.replicasets.forEach((name, i) => {
          if (!rsNames.has(name)) {
            ctx.addIssue({
              code: 'custom',
              path: ['namespaces', n, 'services', s, 'selector', 'replicasets', i],
              message: `service '${svc.name}' selects unknown replicaset '${name}'`,
            })
          }
        })
      })
    })
  })

export type Scenario = z.output<typeof ScenarioSchema>
export type ScenarioInput = z.input<typeof ScenarioSchema>
export type ReplicaSetSpec = Scenario['namespaces'][number]['replicasets'][number]

/**
 * Validates a scenario object. Throws an Error whose message lists every problem with its path
 * (e.g. "namespaces.0.replicasets.1.traffic.status: needs at least one positive weight").
 */
export function parseScenario(input: unknown, origin = 'scenario'): Scenario {
  const result = ScenarioSchema.safeParse(input)
  if (result.success) return result.data
  const problems = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`)
  throw new Error(`invalid ${origin}:\n${problems.join('\n')}`)
}

/** Reads and validates a scenario JSON file. */
export function loadScenario(file: string): Scenario {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new Error(`cannot read scenario ${file}: ${(err as Error).message}`, { cause: err })
  }
  return parseScenario(raw, `scenario ${file}`)
}
