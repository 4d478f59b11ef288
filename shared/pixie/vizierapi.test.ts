import { describe, expect, it } from 'vitest'
import { create, fromBinary, toBinary } from '@bufbuild/protobuf'
import type { DescMessage, MessageShape } from '@bufbuild/protobuf'
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire'
import fc from 'fast-check'
import {
  ExecuteScriptRequestSchema,
  ExecuteScriptResponseSchema,
  RowBatchDataSchema,
} from './gen/vizierapi_pb'
import {
  decodeExecuteScriptResponse,
  decodeRowBatchData,
  encodeExecuteScriptRequest,
} from './vizierapi'
import type { ExecuteScriptRequest } from './vizierapi'
import { decryptRowBatch, generateE2eKeyPair } from './encryption'
import { encodeColumn } from '../../simulator/vizier-wire/row-batch'
import { encryptRowBatch } from '../../simulator/vizier-wire/batch-encryption'

// The simulator and the test doubles speak protobuf-es (reflection, gen/vizierapi_pb.ts); the
// client speaks the static codecs of vizierapi.ts. Every message the client uses must mean the same
// on both sides: encoded by one, decoded by the other.

/** A protobuf-es message as plain data: without $typeName and $unknown, comparable with ours. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain)
  if (value instanceof Uint8Array) return value
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) {
      if (k === '$typeName' || k === '$unknown') continue
      if (v === undefined) continue
      out[k] = plain(v)
    }
    return out
  }
  return value
}

function viaProtobufEs<T extends DescMessage>(schema: T, bytes: Uint8Array): unknown {
  return plain(fromBinary(schema, bytes) as MessageShape<T>)
}

const everyColumn = [
  encodeColumn('BOOLEAN', [true, false, true]),
  encodeColumn('INT64', [0n, -1n, 9_223_372_036_854_775_807n]),
  encodeColumn('UINT128', [
    '00000000-0000-0001-0000-000000000002',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '12345678-9abc-def0-1234-56789abcdef0',
  ]),
  encodeColumn('TIME64NS', [1_700_000_000_000_000_001n, 0n, -5n]),
  encodeColumn('FLOAT64', [0.5, -0, Number.MAX_VALUE]),
  encodeColumn('STRING', ['', 'ü', 'a\u0000b']),
]

const batch = create(RowBatchDataSchema, {
  tableId: 'table-1',
  numRows: 3n,
  eow: true,
  eos: true,
  cols: everyColumn,
})

const responses = {
  metadata: create(ExecuteScriptResponseSchema, {
    queryId: 'q-1',
    result: {
      case: 'metaData',
      value: {
        id: 'table-1',
        name: 'output',
        relation: {
          columns: [
            { columnName: 'time_', columnType: 6, columnDesc: 'time', columnSemanticType: 2 },
            { columnName: 'service', columnType: 5, columnSemanticType: 300 },
          ],
        },
      },
    },
  }),
  data: create(ExecuteScriptResponseSchema, {
    queryId: 'q-1',
    result: { case: 'data', value: { batch } },
  }),
  stats: create(ExecuteScriptResponseSchema, {
    result: {
      case: 'data',
      value: {
        executionStats: {
          timing: { executionTimeNs: 1_500_000n, compilationTimeNs: 300n },
          bytesProcessed: 1n << 40n,
          recordsProcessed: 12n,
        },
      },
    },
  }),
  encrypted: create(ExecuteScriptResponseSchema, {
    result: { case: 'data', value: { encryptedBatch: new TextEncoder().encode('a.b.c.d.e') } },
  }),
  compilerError: create(ExecuteScriptResponseSchema, {
    status: {
      code: 3,
      message: 'Script compilation failed',
      errorDetails: [
        { error: { case: 'compilerError', value: { line: 4n, column: 12n, message: 'bad' } } },
        {},
      ],
    },
  }),
  mutation: create(ExecuteScriptResponseSchema, {
    mutationInfo: {
      status: { code: 14, message: 'pending' },
      states: [{ id: 'tp-1', state: 1, name: 'probe' }],
    },
  }),
  empty: create(ExecuteScriptResponseSchema, {}),
}

describe('ExecuteScriptResponse: protobuf-es encodes, the static decoder reads', () => {
  for (const [name, message] of Object.entries(responses)) {
    it(`should decode a ${name} response exactly as protobuf-es does`, () => {
      const bytes = toBinary(ExecuteScriptResponseSchema, message)
      expect(decodeExecuteScriptResponse(bytes)).toEqual(plain(message))
      expect(decodeExecuteScriptResponse(bytes)).toEqual(
        viaProtobufEs(ExecuteScriptResponseSchema, bytes)
      )
    })
  }

  it('should merge a message repeated on the wire as protobuf-es does', () => {
    // Two encodings back to back are one message to protobuf: scalars from the last, repeated
    // fields appended, singular sub-messages (and the same oneof member) merged.
    const first = toBinary(ExecuteScriptResponseSchema, responses.data)
    const second = toBinary(
      ExecuteScriptResponseSchema,
      create(ExecuteScriptResponseSchema, {
        queryId: 'q-2',
        result: {
          case: 'data',
          value: {
            batch: { numRows: 4n, cols: [encodeColumn('INT64', [7n])] },
            executionStats: { recordsProcessed: 3n },
          },
        },
      })
    )
    const both = new Uint8Array([...first, ...second])
    expect(decodeExecuteScriptResponse(both)).toEqual(
      viaProtobufEs(ExecuteScriptResponseSchema, both)
    )
  })

  it('should read repeated scalars sent unpacked, as protobuf-es does', () => {
    // proto3 senders pack repeated scalars, but a parser must accept both forms.
    const column = new BinaryWriter()
      .tag(2, WireType.LengthDelimited)
      .fork()
      .tag(1, WireType.Varint)
      .int64(5n)
      .tag(1, WireType.Varint)
      .int64(-6n)
      .join()
      .finish()
    const bytes = new BinaryWriter()
      .tag(5, WireType.LengthDelimited)
      .string('t')
      .tag(1, WireType.LengthDelimited)
      .bytes(column)
      .tag(2, WireType.Varint)
      .int64(2n)
      .tag(99, WireType.Varint)
      .uint32(1)
      .finish()
    const ours = decodeRowBatchData(bytes)
    expect(ours.cols[0]?.colData).toEqual({ case: 'int64Data', value: { data: [5n, -6n] } })
    expect(ours).toEqual(viaProtobufEs(RowBatchDataSchema, bytes))
  })

  it('should refuse truncated bytes and invalid UTF-8, as protobuf-es does', () => {
    const bytes = toBinary(ExecuteScriptResponseSchema, responses.metadata)
    const truncated = bytes.subarray(0, bytes.length - 3)
    expect(() => fromBinary(ExecuteScriptResponseSchema, truncated)).toThrow()
    expect(() => decodeExecuteScriptResponse(truncated)).toThrow()
    const badUtf8 = new Uint8Array([0x12, 0x02, 0xc3, 0x28]) // query_id = invalid 2-byte sequence
    expect(() => fromBinary(ExecuteScriptResponseSchema, badUtf8)).toThrow()
    expect(() => decodeExecuteScriptResponse(badUtf8)).toThrow()
  })

  it('should agree with protobuf-es on any row batch', () => {
    const rows = fc.array(
      fc.record({
        n: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
        f: fc.double(),
        b: fc.boolean(),
        s: fc.string({ unit: 'grapheme' }),
      }),
      { maxLength: 20 }
    )
    fc.assert(
      fc.property(rows, fc.string(), (rs, tableId) => {
        const message = create(RowBatchDataSchema, {
          tableId,
          numRows: BigInt(rs.length),
          cols: [
            encodeColumn(
              'INT64',
              rs.map((r) => r.n)
            ),
            encodeColumn(
              'FLOAT64',
              rs.map((r) => r.f)
            ),
            encodeColumn(
              'BOOLEAN',
              rs.map((r) => r.b)
            ),
            encodeColumn(
              'STRING',
              rs.map((r) => r.s)
            ),
          ],
        })
        const bytes = toBinary(RowBatchDataSchema, message)
        expect(decodeRowBatchData(bytes)).toEqual(viaProtobufEs(RowBatchDataSchema, bytes))
      }),
      { numRuns: 100 }
    )
  })
})

describe('ExecuteScriptRequest: the static encoder writes, protobuf-es reads', () => {
  const requests: Record<string, ExecuteScriptRequest> = {
    'a bare script': { queryStr: 'import px\npx.display(px.DataFrame("http_events"))' },
    'a cloud call with functions and encryption': {
      queryStr: 'import px',
      clusterId: '7f8e0c1a-0000-4000-8000-000000000001',
      execFuncs: [
        {
          funcName: 'error_rate',
          argValues: [
            { name: 'start', value: '-60s' },
            { name: 'namespace', value: 'default' },
          ],
          outputTablePrefix: 'out',
        },
        { funcName: 'other', argValues: [], outputTablePrefix: '' },
      ],
      encryptionOptions: {
        jwkKey: '{"kty":"RSA","n":"abc","e":"AQAB"}',
        keyAlg: 'RSA-OAEP-256',
        contentAlg: 'A256GCM',
        compressionAlg: 'DEF',
      },
      queryName: 'px-canary/error-rate',
      queryId: 'q-9',
      mutation: true,
    },
  }
  for (const [name, request] of Object.entries(requests)) {
    it(`should encode ${name} to protobuf-es's very bytes`, () => {
      const ours = encodeExecuteScriptRequest(request)
      const theirs = toBinary(
        ExecuteScriptRequestSchema,
        create(ExecuteScriptRequestSchema, request)
      )
      expect(ours).toEqual(theirs)
      expect(viaProtobufEs(ExecuteScriptRequestSchema, ours)).toEqual(
        plain(create(ExecuteScriptRequestSchema, request))
      )
    })
  }
})

describe('ExecuteScriptRequest: the script cache', () => {
  it('should encode each script afresh when scripts alternate', () => {
    const a = { queryStr: 'import px # a', queryName: 'a' }
    const b = { queryStr: 'import px # ü', queryName: 'b' }
    const bytes = [a, b, a, b].map(encodeExecuteScriptRequest)
    const theirs = [a, b].map((r) =>
      toBinary(ExecuteScriptRequestSchema, create(ExecuteScriptRequestSchema, r))
    )
    expect(bytes).toEqual([theirs[0], theirs[1], theirs[0], theirs[1]])
  })
})

describe('E2E-encrypted batches: encrypted from protobuf-es bytes, decoded statically', () => {
  it('should decrypt every column type to what protobuf-es encoded', async () => {
    // 2048 bits keeps the test quick; the client itself always uses 4096.
    const key = await generateE2eKeyPair(2048)
    const jwe = await encryptRowBatch(batch, key.publicJwk)
    const decrypted = await decryptRowBatch(jwe, key.privateKey)
    expect(decrypted).toEqual(plain(batch))
    const uncompressed = await encryptRowBatch(batch, key.publicJwk, { compression: false })
    expect(await decryptRowBatch(uncompressed, key.privateKey)).toEqual(plain(batch))
  })
})
