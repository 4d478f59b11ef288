/**
 * Seeded synthetic traffic: the http_events rows a scenario's pods produce.
 *
 * Why per second: every (pod, stream, second) triple draws from its own PRNG seeded by
 * hash(seed, pod, stream, second). The rows of a second therefore never depend on which window
 * was asked for, on the multiplier history or on earlier queries: any time range can be generated
 * on its own, lazily, and generating the same range twice gives identical rows. That is what lets
 * a test recompute the ground truth for exactly the window a function queried.
 */
import type { CellValue } from '../shared/pixie/types'
import type { EngineTable } from './pxl/types'
import {
  COL,
  HTTP_EVENTS_COLUMNS,
  REASON_PHRASES,
  TRACE_ROLE_CLIENT,
  TRACE_ROLE_SERVER,
} from './http-events'
import { normal, pickIndex, rngFor, type Rng } from './prng'
import type { LatencySpec } from './scenario'
import type { SimPod, World } from './topology'

const NS_PER_S = 1_000_000_000n
/** z such that P(Z <= z) = 0.99 for a standard normal, for lognormal p99 fitting. */
const Z99 = 2.3263478740408408

/** Column-major rows of one second, sorted by time_. */
export type Chunk = CellValue[][]

type StreamKind = 'main' | 'probe' | 'client' | 'grpc'

interface Weighted {
  keys: string[]
  /** keys as numbers (for status codes). */
  codes: number[]
  cumulative: number[]
}

interface CompiledStream {
  pod: SimPod
  kind: StreamKind
  /** Rows per second before the multiplier. */
  rps: number
  scaled: boolean
  statuses: Weighted
  paths: Weighted
  methods: Weighted
  latencyMs: (rng: Rng) => number
  remoteAddr: (rng: Rng) => string
  remotePort: (rng: Rng) => bigint
  localPort: (rng: Rng) => bigint
  reqHeaders: () => string
  encrypted: boolean
}

function weighted(w: Record<string, number>): Weighted {
  const keys = Object.keys(w)
  let total = 0
  const cumulative = keys.map((k) => (total += w[k] ?? 0))
  return { keys, codes: keys.map(Number), cumulative }
}

/** A latency sampler in milliseconds for a scenario latency spec. */
export function latencySampler(spec: LatencySpec): (rng: Rng) => number {
  switch (spec.dist) {
    case 'constant':
      return () => spec.ms
    case 'uniform':
      return (rng) => spec.min_ms + rng() * (spec.max_ms - spec.min_ms)
    case 'lognormal': {
      const mu = Math.log(spec.median_ms)
      const sigma = Math.log(spec.p99_ms / spec.median_ms) / Z99
      return (rng) => Math.exp(mu + sigma * normal(rng))
    }
    case 'mixture': {
      const samplers = spec.components.map((c) => latencySampler(c.latency))
      let total = 0
      const cumulative = spec.components.map((c) => (total += c.weight))
      return (rng) => {
        const u = rng() * total
        let i = 0
        while (i < cumulative.length - 1 && u >= (cumulative[i] as number)) i++
        return (samplers[i] as (rng: Rng) => number)(rng)
      }
    }
  }
}

const bigints = new Map<number, bigint>()
/** Shares bigint cells for small repeated integers (statuses, ports, sizes). */
function big(n: number): bigint {
  let b = bigints.get(n)
  if (b === undefined) {
    b = BigInt(n)
    if (bigints.size < 100_000) bigints.set(n, b)
  }
  return b
}

/** In-cluster caller IPs, built once so rows share the strings (memory at x100). */
const CALLER_IPS: string[] = Array.from(
  { length: 120 },
  (_, i) => `10.244.${9 + Math.floor(i / 40)}.${2 + (i % 40)}`
)

function constant<T>(value: T): () => T {
  return () => value
}

const respHeaderCache = new Map<string, string>()
/** resp_headers JSON, shared between rows with the same body length and content type. */
function respHeaders(length: number, contentType: string): string {
  const key = `${length}|${contentType}`
  let value = respHeaderCache.get(key)
  if (value === undefined) {
    value = `{"Content-Length":"${length}","Content-Type":"${contentType}"}`
    respHeaderCache.set(key, value)
  }
  return value
}

function compileStreams(world: World): CompiledStream[] {
  const streams: CompiledStream[] = []
  for (const pod of world.pods) {
    const t = pod.traffic
    const host = pod.services[0] ?? pod.replicaset
    const serverPort = () => 8080n
    const ephemeral = (rng: Rng) => big(32768 + Math.floor(rng() * 28232))
    streams.push({
      pod,
      kind: 'main',
      rps: t.rps,
      scaled: true,
      statuses: weighted(t.status),
      paths: weighted(t.paths),
      methods: weighted(t.methods),
      latencyMs: latencySampler(t.latency),
      // In-cluster callers: a small pool of pod IPs on other nodes.
      remoteAddr: (rng) => CALLER_IPS[Math.floor(rng() * CALLER_IPS.length)] ?? '10.244.9.2',
      remotePort: ephemeral,
      localPort: serverPort,
      reqHeaders: constant(
        `{"Accept":"*/*","Host":"${host}:8080","User-Agent":"Go-http-client/1.1"}`
      ),
      encrypted: false,
    })
    if (t.probes) {
      const probes = t.probes
      streams.push({
        pod,
        kind: 'probe',
        rps: probes.rps,
        scaled: false,
        statuses: weighted(probes.status),
        paths: weighted(Object.fromEntries(probes.paths.map((p) => [p, 1]))),
        methods: weighted({ GET: 1 }),
        latencyMs: latencySampler(probes.latency),
        remoteAddr: () => pod.nodeIp,
        remotePort: ephemeral,
        localPort: serverPort,
        reqHeaders: constant(
          `{"Accept":"*/*","Connection":"close","Host":"${pod.ip}:8080","User-Agent":"kube-probe/1.29"}`
        ),
        encrypted: false,
      })
    }
    if (t.grpc) {
      const grpc = t.grpc
      streams.push({
        pod,
        kind: 'grpc',
        rps: grpc.rps,
        scaled: true,
        // grpc-status codes, drawn like HTTP statuses.
        statuses: weighted(grpc.status),
        paths: weighted(grpc.methods),
        methods: weighted({ POST: 1 }),
        latencyMs: latencySampler(grpc.latency),
        remoteAddr: (rng) => CALLER_IPS[Math.floor(rng() * CALLER_IPS.length)] ?? '10.244.9.2',
        remotePort: ephemeral,
        localPort: () => 9090n,
        reqHeaders: constant(''),
        encrypted: false,
      })
    }
    if (t.client) {
      const client = t.client
      streams.push({
        pod,
        kind: 'client',
        rps: client.rps,
        scaled: true,
        statuses: weighted(client.status),
        paths: weighted(client.paths),
        methods: weighted(client.methods),
        latencyMs: latencySampler(client.latency),
        remoteAddr: () => client.remote_addr,
        remotePort: () => big(client.remote_port),
        localPort: ephemeral,
        reqHeaders: constant(`{"Accept":"application/json","Host":"${client.remote_addr}"}`),
        encrypted: client.remote_port === 443,
      })
    }
  }
  return streams
}

/** grpc-message of a failed call, per code (the text is free-form; these are typical). */
const GRPC_MESSAGES: Record<number, string> = {
  1: 'context canceled',
  2: 'unknown error',
  4: 'context deadline exceeded',
  5: 'not found',
  13: 'internal error',
  14: 'connection refused',
}

/**
 * One gRPC call as Pixie's socket tracer records it in http_events (pixie-io/pixie
 * src/stirling/source_connectors/socket_tracer/socket_trace_connector.cc, HTTP/2 records):
 * major_version 2, minor_version 0, content_type 2 (gRPC), `:method` POST, `:path` the method,
 * resp_status the `:status` 200 whatever the call's outcome, resp_message "OK", and headers as a
 * JSON object with sorted keys and string values where the trailers grpc-status and grpc-message
 * sit among the response headers (grpc_trace_bpf_test.cc expects `"grpc-status":"0"}`).
 * Bodies are protobuf text format.
 */
function grpcRow(
  s: CompiledStream,
  time: bigint,
  code: number,
  path: string,
  latencyNs: number,
  rng: Rng
): CellValue[] {
  const host = s.pod.services[0] ?? s.pod.replicaset
  const row: CellValue[] = new Array(HTTP_EVENTS_COLUMNS.length)
  const message = code === 0 ? '' : `,"grpc-message":"${GRPC_MESSAGES[code] ?? 'error'}"`
  const reqBody = '1: "canary"'
  const respBody = code === 0 ? '1: "Hello canary"' : ''
  row[COL.time_] = time
  row[COL.upid] = s.pod.upid
  row[COL.remote_addr] = s.remoteAddr(rng)
  row[COL.remote_port] = s.remotePort(rng)
  row[COL.local_addr] = s.pod.ip
  row[COL.local_port] = s.localPort(rng)
  row[COL.trace_role] = TRACE_ROLE_SERVER
  row[COL.encrypted] = false
  row[COL.major_version] = 2n
  row[COL.minor_version] = 0n
  row[COL.content_type] = 2n
  row[COL.req_headers] =
    `{":authority":"${host}:9090",":method":"POST",":path":"${path}",":scheme":"http","content-type":"application/grpc","te":"trailers","user-agent":"grpc-go/1.43.0"}`
  row[COL.req_method] = 'POST'
  row[COL.req_path] = path
  row[COL.req_body] = reqBody
  row[COL.req_body_size] = big(reqBody.length + 5)
  row[COL.resp_headers] =
    `{":status":"200","content-type":"application/grpc"${message},"grpc-status":"${code}"}`
  row[COL.resp_status] = 200n
  row[COL.resp_message] = 'OK'
  row[COL.resp_body] = respBody
  row[COL.resp_body_size] = big(respBody === '' ? 0 : respBody.length + 5)
  row[COL.latency] = BigInt(latencyNs)
  return row
}

const streamCache = new WeakMap<World, CompiledStream[]>()
function streamsOf(world: World): CompiledStream[] {
  let streams = streamCache.get(world)
  if (!streams) {
    streams = compileStreams(world)
    streamCache.set(world, streams)
  }
  return streams
}

/** The expected number of rows per second (all streams), for sizing history. */
export function expectedRowsPerSecond(world: World, multiplier: number): number {
  return streamsOf(world).reduce((sum, s) => sum + s.rps * (s.scaled ? multiplier : 1), 0)
}

/**
 * The rows of one wall-clock second [second, second + 1), all pods, sorted by time_. Times fall
 * strictly inside the second (never on a whole second), so whole-second window edges never tie.
 */
export function secondChunk(world: World, second: number, multiplier = 1): Chunk {
  const seed = world.scenario.seed
  const rows: CellValue[][] = []
  const offsets: number[] = []
  const base = BigInt(second) * NS_PER_S
  for (const s of streamsOf(world)) {
    const rate = s.rps * (s.scaled ? multiplier : 1)
    if (rate <= 0) continue
    const rng = rngFor(seed, s.kind, s.pod.index, second)
    const whole = Math.floor(rate)
    const count = whole + (rng() < rate - whole ? 1 : 0)
    const isProbe = s.kind === 'probe'
    const contentType = isProbe ? 'text/plain' : 'application/json'
    for (let i = 0; i < count; i++) {
      const offset = 1 + Math.floor(rng() * 999_999_998)
      const status = s.statuses.codes[pickIndex(s.statuses.cumulative, rng)] ?? 200
      const path = s.paths.keys[pickIndex(s.paths.cumulative, rng)] ?? '/'
      const method = s.methods.keys[pickIndex(s.methods.cumulative, rng)] ?? 'GET'
      const latencyNs = Math.max(0, Math.round(s.latencyMs(rng) * 1e6))
      const reqBody = method === 'GET' || method === 'HEAD' ? '' : '{}'
      const respBody = isProbe
        ? 'ok'
        : status < 400
          ? '"blue"'
          : (REASON_PHRASES[status] ?? 'error')
      if (s.kind === 'grpc') {
        const row = grpcRow(s, base + BigInt(offset), status, path, latencyNs, rng)
        if (s.pod.startedNs !== undefined && (row[COL.time_] as bigint) < s.pod.startedNs) continue
        rows.push(row)
        offsets.push(offset)
        continue
      }
      const row: CellValue[] = new Array(HTTP_EVENTS_COLUMNS.length)
      row[COL.time_] = base + BigInt(offset)
      row[COL.upid] = s.pod.upid
      row[COL.remote_addr] = s.remoteAddr(rng)
      row[COL.remote_port] = s.remotePort(rng)
      row[COL.local_addr] = s.pod.ip
      row[COL.local_port] = s.localPort(rng)
      row[COL.trace_role] = s.kind === 'client' ? TRACE_ROLE_CLIENT : TRACE_ROLE_SERVER
      row[COL.encrypted] = s.encrypted
      row[COL.major_version] = 1n
      row[COL.minor_version] = 1n
      row[COL.content_type] = isProbe ? 0n : 1n
      row[COL.req_headers] = s.reqHeaders()
      row[COL.req_method] = method
      row[COL.req_path] = path
      row[COL.req_body] = reqBody
      row[COL.req_body_size] = big(reqBody.length)
      row[COL.resp_headers] = respHeaders(respBody.length, contentType)
      row[COL.resp_status] = big(status)
      row[COL.resp_message] = REASON_PHRASES[status] ?? ''
      row[COL.resp_body] = respBody
      row[COL.resp_body_size] = big(respBody.length)
      row[COL.latency] = BigInt(latencyNs)
      // A pod that has not started yet serves nothing (its draws are made all the same).
      if (s.pod.startedNs !== undefined && (row[COL.time_] as bigint) < s.pod.startedNs) continue
      rows.push(row)
      offsets.push(offset)
    }
  }
  const order = offsets.map((_, i) => i).sort((a, b) => (offsets[a] ?? 0) - (offsets[b] ?? 0))
  const n = order.length
  const chunk: Chunk = HTTP_EVENTS_COLUMNS.map(() => new Array<CellValue>(n))
  for (let c = 0; c < chunk.length; c++) {
    const column = chunk[c] as CellValue[]
    for (let r = 0; r < n; r++)
      column[r] = (rows[order[r] as number] as CellValue[])[c] as CellValue
  }
  return chunk
}

/**
 * Concatenates the rows of `chunks` with startNs <= time_ <= endNs into one column-major table.
 * Chunks are time-sorted, so only the first and last need trimming.
 */
export function concatChunks(chunks: Chunk[], startNs: bigint, endNs: bigint): Chunk {
  const ranges = chunks.map((chunk) => {
    const times = (chunk[COL.time_] ?? []) as bigint[]
    let from = 0
    let to = times.length
    while (from < to && (times[from] as bigint) < startNs) from++
    while (to > from && (times[to - 1] as bigint) > endNs) to--
    return [from, to] as const
  })
  const total = ranges.reduce((n, [from, to]) => n + to - from, 0)
  const out: Chunk = HTTP_EVENTS_COLUMNS.map(() => new Array<CellValue>(total))
  for (let c = 0; c < out.length; c++) {
    const column = out[c] as CellValue[]
    let k = 0
    for (let i = 0; i < chunks.length; i++) {
      const source = (chunks[i] as Chunk)[c] as CellValue[]
      const [from, to] = ranges[i] as readonly [number, number]
      for (let r = from; r < to; r++) column[k++] = source[r] as CellValue
    }
  }
  return out
}

export interface GenerateOptions {
  /** Inclusive start, ns since the epoch. */
  startNs: bigint
  /** Inclusive end, ns since the epoch. */
  endNs: bigint
  /** Traffic multiplier (default: the scenario's). */
  multiplier?: number
}

/** Seconds (floor) spanned by [startNs, endNs]. */
export function secondsOf(startNs: bigint, endNs: bigint): [number, number] {
  const floorDiv = (n: bigint) => (n >= 0n ? n / NS_PER_S : -((-n + NS_PER_S - 1n) / NS_PER_S))
  return [Number(floorDiv(startNs)), Number(floorDiv(endNs))]
}

/**
 * The http_events rows of every pod with startNs <= time_ <= endNs, as a column-major table.
 * The same world and range always give the same rows, whatever else was generated before.
 */
export function generateHttpEvents(world: World, options: GenerateOptions): EngineTable {
  const multiplier = options.multiplier ?? world.scenario.multiplier
  const [first, last] = secondsOf(options.startNs, options.endNs)
  const chunks: Chunk[] = []
  for (let s = first; s <= last; s++) chunks.push(secondChunk(world, s, multiplier))
  const data = concatChunks(chunks, options.startNs, options.endNs)
  return { name: 'http_events', columns: HTTP_EVENTS_COLUMNS.map((c) => ({ ...c })), data }
}
