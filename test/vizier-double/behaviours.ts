/**
 * Ready-made behaviours for the Vizier double: well-formed answers (respondWithTable,
 * respondWithTables) and faults (never answer, reset mid-stream, fail with a gRPC status).
 */
import { randomUUID } from 'node:crypto'
import { Code, ConnectError } from '@connectrpc/connect'
import { encryptRowBatch } from '../../simulator/vizier-wire/batch-encryption'
import { fillCallEcho } from '../helpers/stats-result'
import type { ExecuteScriptResponse } from '../../shared/pixie/gen/vizierapi_pb'
import { DoubleFault } from './server'
import type { DoubleAction, VizierBehaviour, VizierCall } from './server'
import { batchMessages, keepaliveMessage, metadataMessage, statsMessage } from './messages'
import type { TableSpec } from './messages'

export interface RespondOptions {
  /** Rows per batch (default 1024). */
  batchSize?: number
  /** query_id on every message (default: a fresh UUID per call, as Vizier does). */
  queryId?: string
  /**
   * Encrypt row batches for the key the client sent: 'auto' (default) encrypts exactly when the
   * request carries encryption_options, as Vizier does; false never does; true insists (the call
   * fails with INVALID_ARGUMENT when no key was sent).
   */
  encrypt?: 'auto' | boolean
  /** Send a zero-row keepalive batch per table before and between data batches (default false). */
  keepalives?: boolean
  /** End with the execution_stats message (default true). */
  stats?: boolean
}

/**
 * Encrypts a data message's batch for the call's key (in place), as Vizier's broker does:
 * the RowBatchData moves into encrypted_batch as a JWE compact serialization.
 */
export async function encryptForCall(
  message: ExecuteScriptResponse,
  call: VizierCall
): Promise<ExecuteScriptResponse> {
  const options = call.request.encryptionOptions
  if (message.result.case !== 'data' || !message.result.value.batch || !options?.jwkKey) {
    return message
  }
  const data = message.result.value
  data.encryptedBatch = await encryptRowBatch(data.batch!, options.jwkKey, {
    compression: options.compressionAlg === 'DEF',
  })
  data.batch = undefined
  return message
}

function shouldEncrypt(call: VizierCall, mode: RespondOptions['encrypt']): boolean {
  const hasKey = Boolean(call.request.encryptionOptions?.jwkKey)
  if (mode === true && !hasKey) {
    throw new ConnectError(
      'the double was told to encrypt but the request sent no key',
      Code.InvalidArgument
    )
  }
  return mode === false ? false : hasKey
}

/**
 * The full, well-formed answer for several tables: metadata for each, then their batches
 * interleaved (batch 1 of every table, then batch 2, ...), each table ending with eos, then the
 * execution stats. Cells holding the CALL_ECHO placeholder (test/helpers/stats-result.ts) are
 * answered with the selector echo of the request's exec function, as the real script does.
 * Returns a behaviour for startVizierDouble.
 */
export function respondWithTables(
  specs: readonly TableSpec[],
  options: RespondOptions = {}
): VizierBehaviour {
  return async function* (call) {
    const funcs = call.request.execFuncs.map((f) => ({
      funcName: f.funcName,
      outputTablePrefix: f.outputTablePrefix,
      args: Object.fromEntries(f.argValues.map((a) => [a.name, a.value])),
    }))
    const tables = specs.map((t) => ({ ...t, rows: fillCallEcho(t.name, t.rows, funcs) }))
    const queryId = options.queryId ?? randomUUID()
    const encrypt = shouldEncrypt(call, options.encrypt)
    for (const table of tables) yield metadataMessage(table, { queryId })
    const perTable = tables.map((t) =>
      batchMessages(t, t.rows, {
        queryId,
        ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      })
    )
    const rounds = Math.max(0, ...perTable.map((b) => b.length))
    for (let i = 0; i < rounds; i++) {
      for (const [t, batches] of perTable.entries()) {
        const message = batches[i]
        if (!message) continue
        if (options.keepalives) {
          const keepalive = keepaliveMessage(tables[t]!, { queryId })
          yield encrypt ? await encryptForCall(keepalive, call) : keepalive
        }
        yield encrypt ? await encryptForCall(message, call) : message
      }
    }
    if (options.stats ?? true) {
      const records = tables.reduce((n, t) => n + t.rows.length, 0)
      yield statsMessage({ recordsProcessed: BigInt(records) }, { queryId })
    }
  }
}

/** The full, well-formed answer for one table (metadata, batches, eos, stats). */
export function respondWithTable(table: TableSpec, options: RespondOptions = {}): VizierBehaviour {
  return respondWithTables([table], options)
}

/** Yields exactly these actions, whatever the request. */
export function respondWith(...actions: DoubleAction[]): VizierBehaviour {
  return () => actions
}

/** A fault action: wait, sending nothing more, until the client cancels (its deadline). */
export function hang(): DoubleFault {
  return new DoubleFault('hang')
}

/** A fault action: reset the HTTP/2 stream (RST_STREAM, INTERNAL_ERROR unless told otherwise). */
export function resetStream(rstCode?: number): DoubleFault {
  return new DoubleFault('reset', rstCode)
}

/** Accepts the call and never answers: no headers, no messages, until the client gives up. */
export function neverAnswer(): VizierBehaviour {
  return () => [hang()]
}

/**
 * Runs `behaviour` for its first `messages` messages, then resets the stream mid-way
 * (a real RST_STREAM after response headers and data).
 */
export function resetAfter(messages: number, behaviour: VizierBehaviour): VizierBehaviour {
  return async function* (call) {
    let sent = 0
    if (sent >= messages) {
      yield resetStream()
      return
    }
    for await (const action of behaviour(call)) {
      yield action
      if (++sent >= messages) break
    }
    yield resetStream()
  }
}

/**
 * Ends the call with a gRPC status and nothing else (trailers-only), as Pixie Cloud does for
 * auth and cluster-health failures, e.g. failWith(Code.Unavailable, 'cluster is not in a healthy state').
 */
export function failWith(code: Code, message: string): VizierBehaviour {
  return () => {
    throw new ConnectError(message, code)
  }
}

/** Runs `behaviour`, then ends with this gRPC status instead of OK (trailers after data). */
export function thenFail(behaviour: VizierBehaviour, code: Code, message: string): VizierBehaviour {
  return async function* (call) {
    yield* behaviour(call)
    throw new ConnectError(message, code)
  }
}

/**
 * Hostile: answers in the clear though the request carries a key. A Vizier from before end-to-end
 * encryption does this (encryption_options is a field it does not know, so it is skipped as
 * proto3 skips unknown fields: pixie-io/pixie src/api/proto/vizierpb/vizierapi.proto), and so
 * would a proxy that strips the key to read the results.
 */
export function answerInClear(table: TableSpec, options: RespondOptions = {}): VizierBehaviour {
  return respondWithTable(table, { ...options, encrypt: false })
}

/**
 * Hostile: a flood of table metadata, `tables` messages each announcing a new table with `columns`
 * wide-named columns, and never any data, until the client gives up. A real Vizier sends one
 * metadata message per table its script displays (pixie-io/pixie
 * src/vizier/services/query_broker/controllers/query_result_forwarder.go); this is what a broken
 * or hostile one could send instead, to grow the client's memory.
 */
export function floodMetadata(tables = 100_000, columns = 1000): VizierBehaviour {
  return async function* (call) {
    const names = Array.from({ length: columns }, (_, i) => ({
      name: `column_${i}_${'x'.repeat(100)}`,
      type: 'STRING' as const,
    }))
    for (let i = 0; i < tables && !call.signal.aborted; i++) {
      yield metadataMessage({ name: `flood_${i}`, id: `flood-${i}`, columns: names })
    }
  }
}

/**
 * Refuses the first `times` calls as a server going away does: GOAWAY naming an earlier stream as
 * the last processed, then RST_STREAM REFUSED_STREAM (never processed, so safe to retry: RFC 9113
 * section 8.7); later calls get `behaviour`.
 */
export function refuseAfterGoaway(behaviour: VizierBehaviour, times = 1): VizierBehaviour {
  let refused = 0
  return (call) => {
    if (refused < times) {
      refused++
      return [new DoubleFault('refuse')]
    }
    return behaviour(call)
  }
}
