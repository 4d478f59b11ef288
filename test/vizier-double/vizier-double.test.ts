/**
 * The double's own contract: message builders produce the sequences Vizier sends, and the server
 * speaks gRPC framing a plain node:http2 client can check byte for byte.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as http2 from 'node:http2'
import { create, fromBinary, toBinary } from '@bufbuild/protobuf'
import {
  ExecuteScriptRequestSchema,
  ExecuteScriptResponseSchema,
} from '../../shared/pixie/gen/vizierapi_pb'
import type { ExecuteScriptResponse } from '../../shared/pixie/gen/vizierapi_pb'
import {
  batchMessages,
  Code,
  failWith,
  respondWithTable,
  rowBatch,
  startVizierDouble,
} from './index'
import type { TableSpec, VizierDouble } from './index'

const table: TableSpec = {
  name: 't',
  columns: [
    { name: 'n', type: 'INT64' },
    { name: 's', type: 'STRING' },
  ],
  rows: Array.from({ length: 5 }, (_, i) => ({ n: i, s: `row ${i}` })),
}

describe('message builders', () => {
  it('should split rows into batches and end only the last one', () => {
    const messages = batchMessages(table, table.rows, { batchSize: 2 })
    const batches = messages.map((m) =>
      m.result.case === 'data' ? m.result.value.batch : undefined
    )
    expect(batches.map((b) => b?.numRows)).toEqual([2n, 2n, 1n])
    expect(batches.map((b) => b?.eos)).toEqual([false, false, true])
    expect(batches.every((b) => b?.tableId === 't')).toBe(true)
  })

  it('should send one empty final batch for a table without rows', () => {
    const [only, ...rest] = batchMessages(table, [])
    expect(rest).toHaveLength(0)
    expect(only?.result.case === 'data' && only.result.value.batch?.eos).toBe(true)
  })

  it('should refuse a row that lacks a column', () => {
    expect(() => rowBatch(table, [{ n: 1 }])).toThrow(/no value for column 's'/)
  })
})

/** Calls the double with node:http2 directly and splits the gRPC framing by hand. */
async function rawCall(address: string, path: string) {
  const session = http2.connect(`http://${address}`)
  try {
    const stream = session.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc+proto',
      te: 'trailers',
    })
    const body = toBinary(
      ExecuteScriptRequestSchema,
      create(ExecuteScriptRequestSchema, { queryStr: 'x' })
    )
    const frame = Buffer.alloc(5 + body.length)
    frame.writeUInt32BE(body.length, 1)
    frame.set(body, 5)
    stream.end(frame)
    const [headers, trailers, data] = await Promise.all([
      new Promise<http2.IncomingHttpHeaders>((resolve) => stream.once('response', resolve)),
      new Promise<http2.IncomingHttpHeaders | undefined>((resolve) => {
        stream.once('trailers', resolve)
        stream.once('close', () => resolve(undefined))
      }),
      new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = []
        stream.on('data', (c: Buffer) => chunks.push(c))
        stream.once('end', () => resolve(Buffer.concat(chunks)))
        stream.once('error', reject)
      }),
    ])
    const messages: ExecuteScriptResponse[] = []
    for (let at = 0; at < data.length;) {
      const length = data.readUInt32BE(at + 1)
      messages.push(fromBinary(ExecuteScriptResponseSchema, data.subarray(at + 5, at + 5 + length)))
      at += 5 + length
    }
    return { headers, trailers, messages }
  } finally {
    session.close()
  }
}

describe('startVizierDouble', () => {
  let double: VizierDouble
  beforeAll(async () => {
    double = await startVizierDouble(respondWithTable(table, { queryId: 'q' }))
  })
  afterAll(async () => {
    await double?.close()
  })

  it('should frame metadata, batches and stats, then trailers with status 0', async () => {
    const { headers, trailers, messages } = await rawCall(
      double.address,
      '/px.api.vizierpb.VizierService/ExecuteScript'
    )
    expect(headers['content-type']).toBe('application/grpc+proto')
    expect(trailers?.['grpc-status']).toBe('0')
    expect(messages.map((m) => m.result.case)).toEqual(['metaData', 'data', 'data'])
    expect(messages.every((m) => m.queryId === 'q')).toBe(true)
    expect(double.requests.at(-1)?.request.queryStr).toBe('x')
  })

  it('should answer trailers-only with the status a behaviour throws', async () => {
    double.setBehaviour(failWith(Code.PermissionDenied, 'permission denied for access to cluster'))
    const { headers, messages } = await rawCall(
      double.address,
      '/px.api.vizierpb.VizierService/ExecuteScript'
    )
    expect(headers['grpc-status']).toBe(String(Code.PermissionDenied))
    expect(decodeURIComponent(String(headers['grpc-message']))).toBe(
      'permission denied for access to cluster'
    )
    expect(messages).toHaveLength(0)
  })

  it('should answer Unimplemented for other methods', async () => {
    const { headers } = await rawCall(double.address, '/px.api.vizierpb.VizierService/HealthCheck')
    expect(headers['grpc-status']).toBe(String(Code.Unimplemented))
  })
})
