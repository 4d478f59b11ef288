/**
 * The simulator's gRPC server: px.api.vizierpb.VizierService (ExecuteScript, HealthCheck),
 * streaming the way a full Vizier does: query_id on every message, table ids as UUIDs, metadata
 * first, interleaved batches with eow/eos on each table's last one, then execution stats. Scripts
 * really run, through the PxL engine in simulator/pxl, over the scenario's seeded traffic.
 *
 * Three front doors: development mode (plaintext HTTP/2, no credentials; the default), Vizier's
 * query-broker front door (TLS plus the service JWT, simulator/front-door/), and the standalone
 * PEM (plaintext, no auth, compiles query_str without exec_funcs, as pixie-io/pixie
 * src/experimental/standalone_pem/vizier_server.h does).
 */
import { randomUUID } from 'node:crypto'
import * as http2 from 'node:http2'
import type { AddressInfo } from 'node:net'
import { create } from '@bufbuild/protobuf'
import {
  Code,
  ConnectError,
  createContextKey,
  createContextValues,
  type ConnectRouter,
  type HandlerContext,
  type Interceptor,
} from '@connectrpc/connect'
import { connectNodeAdapter } from '@connectrpc/connect-node'
import {
  CompilerErrorSchema,
  ErrorDetailsSchema,
  ExecuteScriptResponseSchema,
  HealthCheckResponseSchema,
  QueryDataSchema,
  QueryMetadataSchema,
  QueryExecutionStatsSchema,
  QueryTimingInfoSchema,
  StatusSchema,
  VizierService,
  type ExecuteScriptRequest,
  type ExecuteScriptResponse,
  type HealthCheckResponse,
} from '../shared/pixie/gen/vizierapi_pb'
import type { ExecFunc } from '../shared/pixie/types'
import { TrafficStore, visibleEndNs } from './datasource'
import { batchOf, relationOf } from './encode'
import { checkVizierAuth, VIZIER_AUDIENCE } from './front-door/auth'
import { createBatchEncryptor, type BatchEncryptor } from './encrypt'
import {
  faultsFromScenario,
  UNAUTHENTICATED_MESSAGE,
  UNAVAILABLE_MESSAGE,
  type Faults,
} from './faults'
import { executePxl } from './pxl/index'
import { PxlCompileError, PxlRuntimeError, type EngineTable, type ExecutePxl } from './pxl/types'
import {
  loadScenario,
  parseDurationNs,
  parseScenario,
  type Scenario,
  type ScenarioInput,
} from './scenario'
import { buildWorld, type World } from './topology'

export const DEFAULT_PORT = 12345
export const DEFAULT_HOST = '127.0.0.1'

export interface SimulatorOptions {
  /** A scenario object (validated here) or the path of a scenario JSON file. */
  scenario: Scenario | ScenarioInput | string
  /** Port to listen on; 0 picks an ephemeral port. Default 12345 (the standalone PEM's). */
  port?: number
  host?: string
  /**
   * The simulator's "now" in ns since the epoch, read once per query (px.now()). Default: the wall
   * clock. Tests freeze it so their ground truth uses exactly the window the script saw.
   */
  clock?: () => bigint
  /** Traffic multiplier; default the scenario's. Changeable later with setMultiplier. */
  multiplier?: number
  /** Encrypt batches when a request asks for it; default the scenario's `encrypt`. */
  encrypt?: boolean
  /** Rows per data batch (default 1,000). */
  batchRows?: number
  /**
   * Send a zero-row batch per table right after the metadata, as Carnot's gRPC sink does on
   * connect (default true): clients must cope with num_rows = 0 batches.
   */
  zeroRowBatches?: boolean
  /** Initial faults; default the scenario's. */
  faults?: Faults
  /** The PxL engine; default simulator/pxl's executePxl. */
  executePxl?: ExecutePxl
  /**
   * Called when a request cannot be answered truthfully by the simulator, e.g. a start_time
   * argument reaching further back than the history it holds. Default: a line on stderr.
   */
  onWarning?: (message: string) => void
  /**
   * Serve Vizier's in-cluster front door instead of development mode: TLS with this server
   * certificate, and every call must carry `authorization: bearer <JWT>` signed with the
   * cluster's JWT signing key, checked as the query broker does (simulator/front-door/auth.ts).
   * Token times are checked against `clock`.
   */
  vizier?: VizierFrontDoorOptions
  /**
   * Behave as Pixie's standalone PEM: plaintext, no auth, `exec_funcs` ignored (query_str is
   * compiled alone), table ids are the table names. Cannot be combined with `vizier`.
   */
  standalonePem?: boolean
}

export interface VizierFrontDoorOptions {
  /** PEM server certificate and key (`server.crt` / `server.key` of Secret service-tls-certs). */
  tls: { cert: string; key: string }
  /**
   * The `jwt-signing-key` value of Secret `pl-cluster-secrets`, as Vizier gets it in
   * PL_JWT_SIGNING_KEY: the string itself is the HMAC key (never hex-decoded).
   */
  jwtSigningKey: string
  /** Expected audience; default 'vizier'. */
  audience?: string
}

/** Which front door a simulator serves. */
export type SimulatorMode = 'development' | 'vizier' | 'standalone-pem'

/** One received ExecuteScript call, for tests to inspect. */
export interface RecordedRequest {
  queryId: string
  queryStr: string
  execFuncs: ExecFunc[]
  queryName: string
  clusterId: string
  mutation: boolean
  encryptionRequested: boolean
  /** Request headers (gRPC metadata), lower-case names, pseudo-headers left out. */
  headers: Record<string, string>
  receivedAt: Date
  nowNs?: bigint
  /** Rows of source tables the script read. */
  rowsScanned: number
  /** Rows in the result tables sent back. */
  rowsReturned: number
  outcome: 'pending' | 'ok' | 'fault' | 'compile_error' | 'runtime_error' | 'invalid' | 'cancelled'
  error?: string
  /** Why the answer may not be the whole truth (e.g. a window longer than the history). */
  warnings: string[]
}

export interface SimulatorStats {
  executeScriptCalls: number
  healthCheckCalls: number
  /** Source rows read, summed over all calls. */
  rowsScanned: number
  /** Result rows sent, summed over all calls. */
  rowsReturned: number
  /** Calls the front door refused before they reached a handler (bad or missing token). */
  unauthenticatedCalls: number
  /**
   * Times a token's claims would have crashed the query broker (a panicking type assertion):
   * every connection was dropped.
   */
  crashes: number
}

export interface Simulator {
  /** 'host:port', ready for PX_DIRECT_ADDR. */
  address: string
  mode: SimulatorMode
  host: string
  port: number
  scenario: Scenario
  world: World
  store: TrafficStore
  stats: SimulatorStats
  requests: RecordedRequest[]
  /** Merges faults into the active ones (e.g. setFault({ error: 'unavailable' })). */
  setFault(faults: Faults): void
  clearFaults(): void
  faults(): Faults
  setMultiplier(multiplier: number): void
  /** Zeroes stats and forgets recorded requests. */
  resetStats(): void
  /** Stops listening, cancels in-flight calls and closes every connection. */
  close(): Promise<void>
}

const kNodeRequest = createContextKey<http2.Http2ServerRequest | undefined>(undefined, {
  description: 'the raw node:http2 request, for faults that need the HTTP/2 stream',
})

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new ConnectError('cancelled', Code.Canceled))
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(new ConnectError('cancelled', Code.Canceled))
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

function headersOf(ctx: HandlerContext): Record<string, string> {
  const out: Record<string, string> = {}
  ctx.requestHeader.forEach((value, key) => {
    if (!key.startsWith(':')) out[key.toLowerCase()] = value
  })
  return out
}

function execFuncsOf(req: ExecuteScriptRequest): ExecFunc[] {
  return req.execFuncs.map((f) => ({
    funcName: f.funcName,
    args: Object.fromEntries(f.argValues.map((a) => [a.name, a.value])),
    outputTablePrefix: f.outputTablePrefix,
  }))
}

function isCompileError(err: unknown): err is PxlCompileError {
  return err instanceof PxlCompileError || (err as Error | undefined)?.name === 'PxlCompileError'
}

function isRuntimeError(err: unknown): err is PxlRuntimeError {
  return err instanceof PxlRuntimeError || (err as Error | undefined)?.name === 'PxlRuntimeError'
}

/**
 * Starts a simulator. Resolves once it listens.
 *
 * @example
 * const sim = await startSimulator({ scenario: 'scenarios/demo.json', port: 0 })
 * // PX_DIRECT_ADDR=sim.address ...
 * sim.setFault({ error: 'unavailable' })
 * await sim.close()
 */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  if (options.vizier && options.standalonePem) {
    throw new Error('a simulator is either a Vizier front door or a standalone PEM, not both')
  }
  if (options.vizier && options.vizier.jwtSigningKey === '') {
    throw new Error('the JWT signing key is empty')
  }
  const mode: SimulatorMode = options.vizier
    ? 'vizier'
    : options.standalonePem
      ? 'standalone-pem'
      : 'development'
  const scenario =
    typeof options.scenario === 'string'
      ? loadScenario(options.scenario)
      : parseScenario(options.scenario)
  const world = buildWorld(scenario)
  const store = new TrafficStore(
    world,
    options.multiplier === undefined ? {} : { multiplier: options.multiplier }
  )
  const clock = options.clock ?? (() => BigInt(Date.now()) * 1_000_000n)
  const encrypt = options.encrypt ?? scenario.encrypt
  const batchRows = Math.max(1, options.batchRows ?? 1000)
  const zeroRowBatches = options.zeroRowBatches ?? true
  const warn = options.onWarning ?? ((m: string) => void process.stderr.write(`simulator: ${m}\n`))
  const engine = options.executePxl ?? executePxl
  // Generate the history up front so the first query does not pay for it.
  store.table(visibleEndNs(world, clock()))
  let faults: Faults = { ...(options.faults ?? faultsFromScenario(scenario.faults)) }
  const stats: SimulatorStats = {
    executeScriptCalls: 0,
    healthCheckCalls: 0,
    rowsScanned: 0,
    rowsReturned: 0,
    unauthenticatedCalls: 0,
    crashes: 0,
  }
  const requests: RecordedRequest[] = []
  const shutdown = new AbortController()

  /** The faults for one call; counts down `times` and clears them when used up. */
  function takeFaults(): Faults {
    const current = { ...faults }
    if (faults.times !== undefined) {
      faults.times -= 1
      if (faults.times <= 0) faults = {}
    }
    return current
  }

  function response(
    queryId: string,
    fields: Partial<Pick<ExecuteScriptResponse, 'status' | 'result'>>
  ): ExecuteScriptResponse {
    return create(ExecuteScriptResponseSchema, { queryId, ...fields })
  }

  async function* executeScript(
    req: ExecuteScriptRequest,
    ctx: HandlerContext
  ): AsyncGenerator<ExecuteScriptResponse> {
    const queryId = randomUUID()
    stats.executeScriptCalls += 1
    const record: RecordedRequest = {
      queryId,
      queryStr: req.queryStr,
      execFuncs: execFuncsOf(req),
      queryName: req.queryName,
      clusterId: req.clusterId,
      mutation: req.mutation,
      encryptionRequested: req.encryptionOptions !== undefined,
      headers: headersOf(ctx),
      receivedAt: new Date(),
      rowsScanned: 0,
      rowsReturned: 0,
      outcome: 'pending',
      warnings: [],
    }
    requests.push(record)
    const signal = AbortSignal.any([ctx.signal, shutdown.signal])
    const fail = (outcome: RecordedRequest['outcome'], err: ConnectError): ConnectError => {
      record.outcome = outcome
      record.error = err.rawMessage
      return err
    }
    const active = takeFaults()
    try {
      if (active.latencyMs) await sleep(active.latencyMs, signal)
      if (active.error === 'unavailable') {
        throw fail('fault', new ConnectError(UNAVAILABLE_MESSAGE, Code.Unavailable))
      }
      if (active.error === 'unauthenticated') {
        throw fail('fault', new ConnectError(UNAUTHENTICATED_MESSAGE, Code.Internal))
      }
      if (active.error === 'hang') {
        record.outcome = 'fault'
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()))
        throw new ConnectError('cancelled', Code.Canceled)
      }
    } catch (err) {
      if (record.outcome === 'pending') record.outcome = 'cancelled'
      throw err
    }

    if (mode === 'standalone-pem') {
      yield* standalonePemExecute(req, record, queryId, fail)
      return
    }

    if (req.queryStr === '') {
      if (req.queryId !== '') {
        throw fail('invalid', new ConnectError('query resume is not simulated', Code.Unimplemented))
      }
      throw fail('invalid', new ConnectError('Query should not be empty.', Code.InvalidArgument))
    }

    let encryptor: BatchEncryptor | undefined
    if (encrypt && req.encryptionOptions) {
      try {
        encryptor = await createBatchEncryptor(req.encryptionOptions)
      } catch (err) {
        throw fail('invalid', new ConnectError((err as Error).message, Code.Unknown))
      }
    }

    const history = store.historyNs()
    for (const f of record.execFuncs) {
      const start = /^-(\d+(?:ms|s|m|h))$/.exec(f.args.start_time ?? '')?.[1]
      if (start !== undefined && parseDurationNs(start) > history) {
        const warning =
          `${f.funcName}: start_time ${f.args.start_time} reaches past the simulated history ` +
          `(${history / 1_000_000_000n}s); older requests do not exist in this simulator`
        record.warnings.push(warning)
        warn(warning)
      }
    }
    const nowNs = clock()
    record.nowNs = nowNs
    const snapshot = store.snapshot(nowNs)
    const started = process.hrtime.bigint()
    let tables: EngineTable[]
    try {
      tables = engine(req.queryStr, { source: snapshot.source, execFuncs: record.execFuncs, nowNs })
    } catch (err) {
      record.rowsScanned = snapshot.rowsScanned()
      stats.rowsScanned += record.rowsScanned
      if (isCompileError(err)) {
        yield response(queryId, {
          status: create(StatusSchema, {
            code: Code.InvalidArgument,
            message: err.message,
            errorDetails: [
              create(ErrorDetailsSchema, {
                error: {
                  case: 'compilerError',
                  value: create(CompilerErrorSchema, {
                    line: BigInt(err.line),
                    column: BigInt(err.column),
                    message: err.message,
                  }),
                },
              }),
            ],
          }),
        })
        throw fail('compile_error', new ConnectError(err.message, Code.InvalidArgument))
      }
      if (isRuntimeError(err)) {
        yield response(queryId, {
          status: create(StatusSchema, { code: Code.Internal, message: err.message }),
        })
        throw fail('runtime_error', new ConnectError(err.message, Code.Internal))
      }
      const message = `simulator engine failure: ${(err as Error)?.message ?? String(err)}`
      throw fail('runtime_error', new ConnectError(message, Code.Internal))
    }
    const executionTimeNs = process.hrtime.bigint() - started
    // A result column may be the shared source buffer itself (e.g. px.display(df) unchanged); the
    // buffer grows while this response streams, so such columns are copied first.
    tables = tables.map((t) =>
      t.data.some((c) => store.isSharedColumn(c))
        ? { ...t, data: t.data.map((c) => (store.isSharedColumn(c) ? c.slice() : c)) }
        : t
    )
    record.rowsScanned = snapshot.rowsScanned()
    record.rowsReturned = tables.reduce((n, t) => n + (t.data[0]?.length ?? 0), 0)
    stats.rowsScanned += record.rowsScanned
    stats.rowsReturned += record.rowsReturned

    let sent = 0
    const resetAfter = active.error === 'reset' ? (active.resetAfterMessages ?? 2) : -1
    const maybeReset = async () => {
      if (sent !== resetAfter) return
      record.outcome = 'fault'
      record.error = 'RST_STREAM'
      // Let the messages already written reach the socket, then reset the HTTP/2 stream.
      await new Promise((resolve) => setTimeout(resolve, 20))
      const raw = ctx.values.get(kNodeRequest)
      raw?.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR)
      throw new ConnectError('stream reset by the simulator', Code.Aborted)
    }
    const dataResponse = async (batch: ReturnType<typeof batchOf>) => {
      const data = encryptor
        ? create(QueryDataSchema, { encryptedBatch: await encryptor(batch) })
        : create(QueryDataSchema, { batch })
      return response(queryId, { result: { case: 'data', value: data } })
    }

    await maybeReset()
    const ids = tables.map(() => randomUUID())
    for (const [i, table] of tables.entries()) {
      yield response(queryId, {
        result: {
          case: 'metaData',
          value: create(QueryMetadataSchema, {
            name: table.name,
            id: ids[i] ?? '',
            relation: relationOf(table),
          }),
        },
      })
      sent++
      await maybeReset()
    }
    if (zeroRowBatches) {
      for (const [i, table] of tables.entries()) {
        yield await dataResponse(batchOf(table, ids[i] ?? '', 0, 0, false))
        sent++
        await maybeReset()
      }
    }
    const offsets = tables.map(() => 0)
    const done = tables.map(() => false)
    while (done.some((d) => !d)) {
      for (const [i, table] of tables.entries()) {
        if (done[i]) continue
        if (signal.aborted) throw fail('cancelled', new ConnectError('cancelled', Code.Canceled))
        const rows = table.data[0]?.length ?? 0
        const from = offsets[i] ?? 0
        const to = Math.min(rows, from + batchRows)
        const last = to >= rows
        yield await dataResponse(batchOf(table, ids[i] ?? '', from, to, last))
        sent++
        await maybeReset()
        offsets[i] = to
        done[i] = last
      }
    }
    yield response(queryId, {
      result: {
        case: 'data',
        value: create(QueryDataSchema, {
          executionStats: create(QueryExecutionStatsSchema, {
            timing: create(QueryTimingInfoSchema, { executionTimeNs, compilationTimeNs: 0n }),
            // An estimate: 8 bytes per cell of the rows read.
            bytesProcessed: BigInt(record.rowsScanned * 8 * 22),
            recordsProcessed: BigInt(record.rowsScanned),
          }),
        }),
      },
    })
    record.outcome = 'ok'
  }

  /**
   * The standalone PEM's ExecuteScript: the script is compiled without exec_funcs (the
   * two-argument Compiler().Compile), and a compile failure, including "no output table", ends the
   * call with INVALID_ARGUMENT "Failed to compile script with error='...'" and no in-band status
   * (pixie-io/pixie src/experimental/standalone_pem/vizier_server.h ExecuteScript;
   * src/carnot/planner/compiler/compiler.cc VerifyGraphHasMemorySink).
   */
  async function* standalonePemExecute(
    req: ExecuteScriptRequest,
    record: RecordedRequest,
    queryId: string,
    fail: (outcome: RecordedRequest['outcome'], err: ConnectError) => ConnectError
  ): AsyncGenerator<ExecuteScriptResponse> {
    const compileError = (message: string) =>
      fail(
        'compile_error',
        new ConnectError(`Failed to compile script with error='${message}'`, Code.InvalidArgument)
      )
    const nowNs = clock()
    record.nowNs = nowNs
    const snapshot = store.snapshot(nowNs)
    let tables: EngineTable[]
    try {
      tables = engine(req.queryStr, { source: snapshot.source, execFuncs: [], nowNs })
    } catch (err) {
      if (isCompileError(err)) throw compileError(err.message)
      // Carnot's ExecuteQuery failing ends the call with CANCELLED (vizier_server.h).
      throw fail('runtime_error', new ConnectError((err as Error).message, Code.Canceled))
    }
    if (tables.length === 0) {
      throw compileError('query does not output a result, please add a px.display() statement')
    }
    record.rowsScanned = snapshot.rowsScanned()
    record.rowsReturned = tables.reduce((n, t) => n + (t.data[0]?.length ?? 0), 0)
    stats.rowsScanned += record.rowsScanned
    stats.rowsReturned += record.rowsReturned
    for (const table of tables) {
      yield response(queryId, {
        result: {
          case: 'metaData',
          // The standalone PEM names tables by their name, not a UUID (vizier_server.h).
          value: create(QueryMetadataSchema, {
            name: table.name,
            id: table.name,
            relation: relationOf(table),
          }),
        },
      })
    }
    for (const table of tables) {
      const rows = table.data[0]?.length ?? 0
      for (let from = 0; from < rows || from === 0; from += batchRows) {
        const to = Math.min(rows, from + batchRows)
        const batch = batchOf(table, table.name, from, to, to >= rows)
        yield response(queryId, {
          result: { case: 'data', value: create(QueryDataSchema, { batch }) },
        })
        if (to >= rows) break
      }
    }
    record.outcome = 'ok'
  }

  /**
   * Vizier's auth interceptor: every RPC (ExecuteScript and HealthCheck alike) is refused with
   * UNAUTHENTICATED before its handler runs unless it carries a valid service JWT (pixie-io/pixie
   * src/shared/services/server/grpc_server.go createGRPCAuthFunc).
   */
  const vizier = options.vizier
  const authInterceptor: Interceptor = (next) => async (req) => {
    if (!vizier) return next(req)
    const outcome = await checkVizierAuth(req.header.get('authorization'), {
      signingKey: vizier.jwtSigningKey,
      audience: vizier.audience ?? VIZIER_AUDIENCE,
      nowMs: Number(clock() / 1_000_000n),
    })
    if (outcome.ok) return next(req)
    if (outcome.kind === 'panic') {
      // A Go panic nobody recovers ends the query broker's process: every connection drops
      // without a gRPC status. The simulator keeps serving, as the restarted pod would.
      stats.crashes += 1
      warn(`front door: the query broker would have crashed (${outcome.message})`)
      for (const session of sessions) session.destroy()
      throw new ConnectError('query broker crashed', Code.Unavailable)
    }
    stats.unauthenticatedCalls += 1
    throw new ConnectError(outcome.message, Code.Unauthenticated)
  }

  async function* healthCheck(): AsyncGenerator<HealthCheckResponse> {
    stats.healthCheckCalls += 1
    // The standalone PEM answers OK with no message (vizier_server.h HealthCheck).
    if (mode === 'standalone-pem') return
    if (faults.error === 'unavailable')
      throw new ConnectError(UNAVAILABLE_MESSAGE, Code.Unavailable)
    yield create(HealthCheckResponseSchema, { status: create(StatusSchema, { code: 0 }) })
  }

  const sessions = new Set<http2.ServerHttp2Session>()
  const handler = connectNodeAdapter({
    routes: (router: ConnectRouter) => {
      router.service(VizierService, { executeScript, healthCheck })
    },
    interceptors: [authInterceptor],
    contextValues: (req) =>
      createContextValues().set(
        kNodeRequest,
        'stream' in req ? (req as http2.Http2ServerRequest) : undefined
      ),
  })
  const server = vizier
    ? http2.createSecureServer({ cert: vizier.tls.cert, key: vizier.tls.key }, handler)
    : http2.createServer(handler)
  server.on('session', (session) => {
    sessions.add(session)
    session.on('close', () => sessions.delete(session))
  })
  const host = options.host ?? DEFAULT_HOST
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port

  return {
    address: `${host}:${port}`,
    mode,
    host,
    port,
    scenario,
    world,
    store,
    stats,
    requests,
    setFault(more) {
      faults = { ...faults, ...more }
    },
    clearFaults() {
      faults = {}
    },
    faults: () => ({ ...faults }),
    setMultiplier(multiplier) {
      store.multiplier = multiplier
    },
    resetStats() {
      stats.executeScriptCalls = 0
      stats.healthCheckCalls = 0
      stats.rowsScanned = 0
      stats.rowsReturned = 0
      stats.unauthenticatedCalls = 0
      stats.crashes = 0
      requests.length = 0
    },
    async close() {
      shutdown.abort()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const session of sessions) session.destroy()
      await closed
    },
  }
}
