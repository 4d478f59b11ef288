import { describe, expect, it } from 'vitest'
import { PxCanaryError } from '../errors'
import { errorFromTransport } from './error-mapping'
import { GrpcCode, GrpcError } from './grpc-status'

/** A status as the server sends it: grpc-status in its trailers. */
function fromServer(code: number, message: string): GrpcError {
  return new GrpcError(code, message, 'server', { httpStatus: 200 })
}

describe('errorFromTransport', () => {
  const target = 'vizier.example:443'

  it.each([
    [GrpcCode.UNAUTHENTICATED, 'invalid API key', 'pixie_unauthenticated'],
    [
      GrpcCode.INTERNAL,
      'Auth middleware failed: failed to fetch token - unauthenticated',
      'pixie_unauthenticated',
    ],
    [
      GrpcCode.PERMISSION_DENIED,
      'permission denied for access to cluster',
      'pixie_permission_denied',
    ],
    [GrpcCode.UNAVAILABLE, 'cluster is not in a healthy state', 'pixie_unavailable'],
    [GrpcCode.INVALID_ARGUMENT, 'missing/malformed cluster_id', 'pixie_script_error'],
    [GrpcCode.DEADLINE_EXCEEDED, 'deadline', 'pixie_deadline_exceeded'],
    [
      GrpcCode.INTERNAL,
      'Large data batch rejected by passthrough proxy limits, add a head() to your query',
      'pixie_result_too_large',
    ],
    [GrpcCode.INTERNAL, 'timedout waiting for producers', 'pixie_transport_error'],
    [GrpcCode.UNIMPLEMENTED, 'unknown service', 'pixie_transport_error'],
  ] as const)('should map a server status %s %j to %s', (code, message, expected) => {
    const err = errorFromTransport(fromServer(code, message), target)
    expect(err.code).toBe(expected)
    expect(err.message).toContain(message)
    expect(err.message).toContain(target)
  })

  it('should name the gRPC code of a status it does not map specially', () => {
    const err = errorFromTransport(fromServer(GrpcCode.UNIMPLEMENTED, 'unknown service'), target)
    expect(err.message).toContain('Unimplemented')
    expect(err.details).toEqual({ grpc_code: 'Unimplemented' })
  })

  it('should call a refused connection a transport error, not Pixie being unavailable', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
    })
    const err = errorFromTransport(
      new GrpcError(GrpcCode.UNAVAILABLE, refused.message, 'transport', { cause: refused }),
      target
    )
    expect(err.code).toBe('pixie_transport_error')
    expect(err.message).toContain('ECONNREFUSED')
  })

  it('should call a reset stream a transport error', () => {
    const err = errorFromTransport(
      new GrpcError(
        GrpcCode.INTERNAL,
        'the server reset the stream with INTERNAL_ERROR (0x2)',
        'transport'
      ),
      target
    )
    expect(err.code).toBe('pixie_transport_error')
  })

  it('should call a non-gRPC HTTP answer a transport error and keep its HTTP status', () => {
    const err = errorFromTransport(
      new GrpcError(GrpcCode.UNAVAILABLE, 'the server answered HTTP 503', 'http', {
        httpStatus: 503,
      }),
      target
    )
    expect(err.code).toBe('pixie_transport_error')
    expect(err.details).toMatchObject({ http_status: 503 })
  })

  it('should call a local deadline a deadline error', () => {
    const err = errorFromTransport(
      new GrpcError(
        GrpcCode.DEADLINE_EXCEEDED,
        'the call exceeded its 300 ms deadline',
        'deadline'
      ),
      target
    )
    expect(err.code).toBe('pixie_deadline_exceeded')
  })

  it('should call a malformed response a protocol error', () => {
    const err = errorFromTransport(
      new GrpcError(GrpcCode.INTERNAL, 'the stream ended in the middle of a message', 'protocol'),
      target
    )
    expect(err.code).toBe('pixie_protocol_error')
  })

  it('should call a local message-size refusal a too-large result', () => {
    const err = errorFromTransport(
      new GrpcError(
        GrpcCode.RESOURCE_EXHAUSTED,
        'message of 9000000 bytes is larger than the 8388608-byte limit',
        'limit'
      ),
      target
    )
    expect(err.code).toBe('pixie_result_too_large')
  })

  it('should call anything else a transport error naming the target', () => {
    const err = errorFromTransport(new Error('socket hang up'), target)
    expect(err.code).toBe('pixie_transport_error')
    expect(err.message).toContain(target)
  })

  it('should pass a PxCanaryError through unchanged', () => {
    const original = new PxCanaryError('pixie_protocol_error', 'x')
    expect(errorFromTransport(original, target)).toBe(original)
  })
})
