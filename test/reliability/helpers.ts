/**
 * Helpers for the reliability, hostile-input and soak tests: the stats table as the real script
 * answers it (selector echo included, taken from each request), the three real metric apps, a
 * release-on-demand gate, bounded waits, and a raw HTTP GET that sends a path exactly as given.
 */
import { request as httpRequest } from 'node:http'
import { connect, createServer } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'
import { errorRate } from '../../functions/error-rate/metric'
import { latency } from '../../functions/latency/metric'
import { throughput } from '../../functions/throughput/metric'
import { createMetricApp } from '../../shared/app'
import type { MetricAppDeps } from '../../shared/app'
import type { MetricDefinition } from '../../shared/metric'
import type { ExecuteScriptOptions, ResultTable, ScriptResult } from '../../shared/pixie/types'
import { HTTP_STATS_TABLE } from '../../shared/pxl/http-stats'
import { getJson } from '../helpers/bundle-fixtures'
import { echoFor, statsColumns, statsRow } from '../helpers/stats-result'
import type { StatsRowInput } from '../helpers/stats-result'
import { respondWithTable } from '../vizier-double'
import type {
  ColumnSpec,
  DoubleRow,
  RespondOptions,
  VizierBehaviour,
  VizierDouble,
} from '../vizier-double'

export const METRICS = {
  'error-rate': errorRate,
  latency,
  throughput,
} as const satisfies Record<string, MetricDefinition<any>>

export type MetricName = keyof typeof METRICS

/** The real app of a metric over the given deps. */
export function metricApp(metric: MetricName, deps: MetricAppDeps) {
  return createMetricApp(METRICS[metric] as MetricDefinition<unknown>, deps)
}

/** What a stats exec function echoes for its arguments (as the real script does). */
export { echoFor }

/** The stats table's columns with the echo columns, as the real script answers. */
export function echoedStatsColumns(): ColumnSpec[] {
  return statsColumns().map(({ name, type }) => ({ name, type }))
}

/** The stats table (client-side form) with one row echoing the options' exec function. */
export function echoedStatsTable(
  options: Pick<ExecuteScriptOptions, 'execFuncs'>,
  input: StatsRowInput
): ResultTable {
  const func = options.execFuncs?.[0]
  if (func === undefined) throw new Error('no exec function in the call')
  return {
    id: HTTP_STATS_TABLE,
    name: HTTP_STATS_TABLE,
    columns: statsColumns(),
    rows: [statsRow(input, echoFor(func.funcName, func.args))],
  }
}

/** A fake-client responder answering the stats row for whatever the call selected. */
export function echoedResult(
  options: Pick<ExecuteScriptOptions, 'execFuncs'>,
  input: StatsRowInput
): ScriptResult {
  const table = echoedStatsTable(options, input)
  return { queryId: 'test', tables: new Map([[table.name, table]]) }
}

/**
 * A Vizier double behaviour answering the stats table, echoing each request's selector (as the
 * real script does). `input` may depend on the call.
 */
export function respondWithStats(
  input: StatsRowInput | ((funcName: string, args: Record<string, string>) => StatsRowInput),
  options: RespondOptions = {}
): VizierBehaviour {
  return (call) => {
    const func = call.request.execFuncs[0]
    const args = Object.fromEntries((func?.argValues ?? []).map((a) => [a.name, a.value]))
    const funcName = func?.funcName ?? ''
    const row: DoubleRow = statsRow(
      typeof input === 'function' ? input(funcName, args) : input,
      echoFor(funcName, args)
    )
    return respondWithTable(
      { name: HTTP_STATS_TABLE, columns: echoedStatsColumns(), rows: [row] },
      options
    )(call)
  }
}

/** A promise the test resolves when it wants to. */
export interface Gate {
  promise: Promise<void>
  open(): void
  readonly opened: boolean
}

export function gate(): Gate {
  let open!: () => void
  let opened = false
  const promise = new Promise<void>((resolve) => {
    open = () => {
      opened = true
      resolve()
    }
  })
  return {
    promise,
    open: () => open(),
    get opened() {
      return opened
    },
  }
}

/** Sets the double to answer these stats only once the returned gate opens. */
export function holdStats(double: VizierDouble, input: StatsRowInput): Gate {
  const release = gate()
  const answer = respondWithStats(input)
  double.setBehaviour(async function* (call) {
    await release.promise
    yield* answer(call) as AsyncIterable<never>
  })
  return release
}

/**
 * Starts a GET (20 s deadline) and resolves once the double has received the Pixie call it makes;
 * the answer is `inFlight`, pending for as long as the double holds it.
 */
export async function getInFlight(
  double: VizierDouble,
  url: string
): Promise<{ inFlight: ReturnType<typeof getJson> }> {
  const calls = double.requests.length
  const inFlight = getJson(url, { timeoutMs: 20_000 })
  await waitUntil(() => double.requests.length > calls, 10_000, 'the in-flight Pixie call')
  return { inFlight }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Polls probe every 10 ms until it returns true; throws after timeoutMs. */
export async function waitUntil(
  probe: () => boolean,
  timeoutMs = 10_000,
  what = 'a condition'
): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!probe()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(10)
  }
}

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: Record<string, any> | undefined
}

/**
 * GET with the request target sent exactly as given (no URL normalisation, unlike fetch), on a
 * fresh connection; gives up after timeoutMs.
 */
export function rawGet(
  base: string,
  path: string,
  headers: Record<string, string> = {},
  timeoutMs = 15_000
): Promise<RawResponse> {
  const url = new URL(base)
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: 'GET',
        headers: { connection: 'close', ...headers },
        agent: false,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let json: Record<string, any> | undefined
          try {
            json = JSON.parse(text) as Record<string, any>
          } catch {
            json = undefined
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json })
        })
        res.on('error', reject)
      }
    )
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out after ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end()
  })
}

/** A TCP proxy that counts the connections passing through it (e.g. a function's gRPC session). */
export interface TcpProxy {
  /** '127.0.0.1:port' */
  address: string
  /** Connections accepted so far. */
  readonly opened: number
  /** Connections whose client side has ended or closed. */
  readonly closedByClient: number
  /** Connections currently open. */
  readonly open: number
  close(): Promise<void>
}

/** Starts a proxy on 127.0.0.1 (ephemeral port) forwarding every connection to targetPort. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  let opened = 0
  let closedByClient = 0
  const server = createServer((client) => {
    opened++
    const upstream = connect(targetPort, '127.0.0.1')
    sockets.add(client)
    sockets.add(upstream)
    let counted = false
    const clientGone = () => {
      if (!counted) {
        counted = true
        closedByClient++
      }
    }
    client.on('end', clientGone)
    client.on('close', () => {
      clientGone()
      sockets.delete(client)
      upstream.destroy()
    })
    upstream.on('close', () => {
      sockets.delete(upstream)
      client.destroy()
    })
    client.on('error', () => {})
    upstream.on('error', () => {})
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    address: `127.0.0.1:${port}`,
    get opened() {
      return opened
    },
    get closedByClient() {
      return closedByClient
    },
    get open() {
      return opened - closedByClient
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
