import { describe, expect, it } from 'vitest'
import { Code, ConnectError } from '@connectrpc/connect'
import { PxCanaryError } from '../errors'
import { errorFromTransport } from './error-mapping'

/** A status as the server sends it: the trailers carry grpc-status. */
function fromServer(code: Code, message: string): ConnectError {
  return new ConnectError(
    message,
    code,
    new Headers({ 'grpc-status': String(code), 'grpc-message': message })
  )
}

describe('errorFromTransport', () => {
  const target = 'vizier.example:443'

  it.each([
    [Code.Unauthenticated, 'invalid API key', 'pixie_unauthenticated'],
    [
      Code.Internal,
      'Auth middleware failed: failed to fetch token - unauthenticated',
      'pixie_unauthenticated',
    ],
    [Code.PermissionDenied, 'permission denied for access to cluster', 'pixie_permission_denied'],
    [Code.Unavailable, 'cluster is not in a healthy state', 'pixie_unavailable'],
    [Code.InvalidArgument, 'missing/malformed cluster_id', 'pixie_script_error'],
    [Code.DeadlineExceeded, 'deadline', 'pixie_deadline_exceeded'],
    [
      Code.Internal,
      'Large data batch rejected by passthrough proxy limits, add a head() to your query',
      'pixie_result_too_large',
    ],
    [Code.Internal, 'timedout waiting for producers', 'pixie_transport_error'],
  ] as const)('should map a server status %s %j to %s', (code, message, expected) => {
    const err = errorFromTransport(fromServer(code, message), target)
    expect(err.code).toBe(expected)
    expect(err.message).toContain(message)
    expect(err.message).toContain(target)
  })

  it('should call a refused connection a transport error, not Pixie being unavailable', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
    })
    const err = errorFromTransport(
      new ConnectError('connect ECONNREFUSED', Code.Unavailable, undefined, undefined, refused),
      target
    )
    expect(err.code).toBe('pixie_transport_error')
  })

  it('should call a reset stream a transport error', () => {
    const err = errorFromTransport(
      new ConnectError('http/2 stream closed with error code INTERNAL_ERROR (0x2)', Code.Internal),
      target
    )
    expect(err.code).toBe('pixie_transport_error')
  })

  it('should call a local deadline a deadline error', () => {
    const err = errorFromTransport(
      new ConnectError('the operation timed out', Code.DeadlineExceeded),
      target
    )
    expect(err.code).toBe('pixie_deadline_exceeded')
  })

  it('should call an undecodable message a protocol error', () => {
    const err = errorFromTransport(
      new ConnectError('parse binary: premature EOF', Code.Internal),
      target
    )
    expect(err.code).toBe('pixie_protocol_error')
  })

  it('should call a local message-size refusal a too-large result', () => {
    const err = errorFromTransport(
      new ConnectError(
        'message size 9000000 is larger than configured readMaxBytes 8388608',
        Code.ResourceExhausted
      ),
      target
    )
    expect(err.code).toBe('pixie_result_too_large')
  })

  it('should pass a PxCanaryError through unchanged', () => {
    const original = new PxCanaryError('pixie_protocol_error', 'x')
    expect(errorFromTransport(original, target)).toBe(original)
  })
})
