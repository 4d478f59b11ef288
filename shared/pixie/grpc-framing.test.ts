import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  decodeGrpcMessage,
  encodeGrpcMessage,
  GrpcMessageDecoder,
  grpcTimeoutHeader,
  readGrpcStatus,
} from './grpc-framing'
import { GrpcCode, GrpcError } from './grpc-status'

const MAX = 1024 * 1024

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values)
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.byteLength
  }
  return out
}

/** Cuts `data` at the given offsets (sorted, deduplicated, within bounds). */
function cut(data: Uint8Array, offsets: number[]): Uint8Array[] {
  const points = [...new Set(offsets.map((o) => o % (data.byteLength + 1)))].sort((a, b) => a - b)
  const chunks: Uint8Array[] = []
  let from = 0
  for (const p of points) {
    chunks.push(data.subarray(from, p))
    from = p
  }
  chunks.push(data.subarray(from))
  return chunks
}

function decodeAll(chunks: Uint8Array[], max = MAX): Uint8Array[] {
  const decoder = new GrpcMessageDecoder(max)
  const out = chunks.flatMap((c) => decoder.push(c))
  expect(decoder.partial).toBe(false)
  return out
}

function grpcError(fn: () => unknown): GrpcError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(GrpcError)
    return err as GrpcError
  }
  throw new Error('expected a GrpcError')
}

describe('encodeGrpcMessage', () => {
  it('should prefix a message with a zero flag byte and its big-endian length', () => {
    expect([...encodeGrpcMessage(bytes(7, 8, 9))]).toEqual([0, 0, 0, 0, 3, 7, 8, 9])
    const big = encodeGrpcMessage(new Uint8Array(0x01_02_03))
    expect([...big.subarray(0, 5)]).toEqual([0, 0x00, 0x01, 0x02, 0x03])
  })
})

describe('GrpcMessageDecoder', () => {
  it('should read several messages delivered in one chunk', () => {
    const frames = [bytes(1), bytes(2, 2), new Uint8Array(0), bytes(3, 3, 3)]
    const out = decodeAll([concat(frames.map(encodeGrpcMessage))])
    expect(out.map((m) => [...m])).toEqual([[1], [2, 2], [], [3, 3, 3]])
  })

  it('should read a message whose prefix and body are split across chunks', () => {
    const frame = encodeGrpcMessage(bytes(10, 20, 30, 40))
    const decoder = new GrpcMessageDecoder(MAX)
    expect(decoder.push(frame.subarray(0, 2))).toEqual([])
    expect(decoder.partial).toBe(true)
    expect(decoder.push(frame.subarray(2, 6))).toEqual([])
    expect(decoder.push(frame.subarray(6, 7))).toEqual([])
    const out = decoder.push(frame.subarray(7))
    expect(out.map((m) => [...m])).toEqual([[10, 20, 30, 40]])
    expect(decoder.partial).toBe(false)
  })

  it('should read messages fed one byte at a time', () => {
    const data = concat([encodeGrpcMessage(bytes(5, 6)), encodeGrpcMessage(bytes(7))])
    const out = decodeAll(cut(data, [...data.keys()]))
    expect(out.map((m) => [...m])).toEqual([[5, 6], [7]])
  })

  it('should read an empty message that ends the body', () => {
    const out = decodeAll([encodeGrpcMessage(bytes(1)), encodeGrpcMessage(new Uint8Array(0))])
    expect(out.map((m) => [...m])).toEqual([[1], []])
  })

  it('should ignore empty chunks', () => {
    const frame = encodeGrpcMessage(bytes(1, 2))
    const out = decodeAll([new Uint8Array(0), frame, new Uint8Array(0)])
    expect(out.map((m) => [...m])).toEqual([[1, 2]])
  })

  it('should return every message intact whatever the chunk boundaries', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (messages, offsets) => {
          const data = concat(messages.map(encodeGrpcMessage))
          const out = decodeAll(cut(data, offsets))
          expect(out.map((m) => [...m])).toEqual(messages.map((m) => [...m]))
        }
      )
    )
  })

  it('should refuse a message over the limit from its prefix alone', () => {
    const decoder = new GrpcMessageDecoder(100)
    const prefix = encodeGrpcMessage(new Uint8Array(101)).subarray(0, 5)
    const err = grpcError(() => decoder.push(prefix))
    expect(err.source).toBe('limit')
    expect(err.code).toBe(GrpcCode.RESOURCE_EXHAUSTED)
    expect(err.rawMessage).toContain('101')
  })

  it('should accept a message exactly at the limit', () => {
    const out = decodeAll([encodeGrpcMessage(new Uint8Array(100).fill(9))], 100)
    expect(out[0]?.byteLength).toBe(100)
  })

  it('should refuse a compressed message, as no compression was negotiated', () => {
    const frame = encodeGrpcMessage(bytes(1))
    frame[0] = 1
    const err = grpcError(() => new GrpcMessageDecoder(MAX).push(frame))
    expect(err.source).toBe('protocol')
    expect(err.rawMessage).toContain('compressed')
  })

  it('should refuse unknown flag bits', () => {
    const frame = encodeGrpcMessage(bytes(1))
    frame[0] = 0x80
    expect(grpcError(() => new GrpcMessageDecoder(MAX).push(frame)).source).toBe('protocol')
  })

  it('should report a body that stops inside a message as partial', () => {
    const decoder = new GrpcMessageDecoder(MAX)
    decoder.push(encodeGrpcMessage(bytes(1, 2, 3)).subarray(0, 6))
    expect(decoder.partial).toBe(true)
  })
})

describe('grpcTimeoutHeader', () => {
  it('should send milliseconds, rounded up, with at most 8 digits', () => {
    expect(grpcTimeoutHeader(8000)).toBe('8000m')
    expect(grpcTimeoutHeader(0.2)).toBe('1m')
    expect(grpcTimeoutHeader(12.3)).toBe('13m')
    expect(grpcTimeoutHeader(100_000_000)).toBe('100000S')
    expect(grpcTimeoutHeader(1e15)).toMatch(/^\d{1,8}H$/)
  })
})

describe('readGrpcStatus', () => {
  it('should read a trailers-only status with a percent-encoded message', () => {
    const status = readGrpcStatus({
      ':status': 200,
      'content-type': 'application/grpc',
      'grpc-status': '14',
      'grpc-message': 'cluster%20is%20not%20in%20a%20healthy%20state%3A%20%E2%9C%93',
    })
    expect(status).toEqual({ code: 14, message: 'cluster is not in a healthy state: ✓' })
  })

  it('should read OK with no message', () => {
    expect(readGrpcStatus({ 'grpc-status': '0' })).toEqual({ code: 0, message: '' })
  })

  it('should report no status when grpc-status is absent', () => {
    expect(readGrpcStatus({ ':status': 200, 'grpc-message': 'x' })).toBeUndefined()
  })

  it('should refuse a grpc-status that is not a number', () => {
    const err = grpcError(() => readGrpcStatus({ 'grpc-status': 'oops' }))
    expect(err.source).toBe('protocol')
  })
})

describe('decodeGrpcMessage', () => {
  it('should keep a malformed percent-encoding as sent', () => {
    expect(decodeGrpcMessage('100%')).toBe('100%')
    expect(decodeGrpcMessage('a%2Fb')).toBe('a/b')
  })
})
