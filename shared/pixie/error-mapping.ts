/**
 * The one place that turns Pixie's two error channels (the in-band Status on a response, and the
 * gRPC status or transport failure that ends the call) into PxCanaryError codes.
 * Messages name what failed and where, never credentials.
 */
import { Code, ConnectError } from '@connectrpc/connect'
import { PxCanaryError } from '../errors'
import type { ErrorCode } from '../errors'
import type { Status } from './gen/vizierapi_pb'

/** google.rpc.Code numbers used by the in-band Status (Pixie maps its own codes to these). */
const RPC_DEADLINE_EXCEEDED = 4
const RPC_PERMISSION_DENIED = 7
const RPC_UNAVAILABLE = 14
const RPC_UNAUTHENTICATED = 16

/** A malformed stream: Vizier (or whatever answered) broke the protocol. */
export function protocolError(message: string, details?: Record<string, unknown>): PxCanaryError {
  return new PxCanaryError('pixie_protocol_error', `Pixie protocol error: ${message}`, {
    ...(details ? { details } : {}),
  })
}

/** The result exceeded one of the client's memory bounds. */
export function tooLargeError(message: string, details: Record<string, unknown>): PxCanaryError {
  return new PxCanaryError('pixie_result_too_large', `Pixie result too large: ${message}`, {
    details,
  })
}

/** The call did not finish within its deadline. */
export function deadlineError(timeoutMs: number): PxCanaryError {
  return new PxCanaryError(
    'pixie_deadline_exceeded',
    `Pixie did not answer within the ${timeoutMs} ms deadline`,
    { details: { timeoutMs } }
  )
}

export function decryptionError(message: string, cause?: unknown): PxCanaryError {
  return new PxCanaryError(
    'pixie_decryption_failed',
    `Pixie row batch decryption failed: ${message}`,
    {
      ...(cause === undefined ? {} : { cause }),
    }
  )
}

/**
 * Reads an in-band Status. Returns undefined when it reports success: no status, code 0, no
 * error details and no message. Like Pixie's UI, a non-empty message or error details count as an
 * error even with code 0. Compiler errors carry their 1-based line and column in details.
 */
export function errorFromStatus(status: Status | undefined): PxCanaryError | undefined {
  if (!status) return undefined
  const { code, message, errorDetails } = status
  if (code === 0 && message === '' && errorDetails.length === 0) return undefined

  const compilerErrors = errorDetails.flatMap((d) =>
    d.error.case === 'compilerError'
      ? [
          {
            line: Number(d.error.value.line),
            column: Number(d.error.value.column),
            message: d.error.value.message,
          },
        ]
      : []
  )
  const first = compilerErrors[0]
  if (first) {
    const more = compilerErrors.length > 1 ? ` (and ${compilerErrors.length - 1} more)` : ''
    return new PxCanaryError(
      'pixie_script_error',
      `PxL compilation failed at line ${first.line}, column ${first.column}: ${first.message}${more}`,
      {
        details: {
          line: first.line,
          column: first.column,
          compilerMessage: first.message,
          errors: compilerErrors,
          ...(message ? { statusMessage: message } : {}),
        },
      }
    )
  }

  const text = message || `status code ${code}`
  const details = { grpcCode: code }
  switch (code) {
    case RPC_UNAUTHENTICATED:
      return new PxCanaryError('pixie_unauthenticated', `Pixie rejected the credentials: ${text}`, {
        details,
      })
    case RPC_PERMISSION_DENIED:
      return new PxCanaryError('pixie_permission_denied', `Pixie denied access: ${text}`, {
        details,
      })
    case RPC_UNAVAILABLE:
      return new PxCanaryError('pixie_unavailable', `Pixie is unavailable: ${text}`, { details })
    case RPC_DEADLINE_EXCEEDED:
      return new PxCanaryError('pixie_deadline_exceeded', `Pixie ran out of time: ${text}`, {
        details,
      })
    default:
      return new PxCanaryError('pixie_script_error', `Pixie failed to run the script: ${text}`, {
        details,
      })
  }
}

function codeName(code: Code): string {
  return Code[code] ?? String(code)
}

/**
 * Maps whatever the transport threw to a PxCanaryError. A status the server sent (its trailers
 * carry grpc-status) is read by code and message; anything raised locally (connection refused,
 * reset, RST_STREAM, a stream cut without trailers, an undecodable message) is a transport or
 * protocol failure. `target` names the server in messages (an address, never a key).
 */
export function errorFromTransport(error: unknown, target: string): PxCanaryError {
  if (error instanceof PxCanaryError) return error
  const ce = ConnectError.from(error)
  const text = ce.rawMessage
  const fromServer = ce.metadata.has('grpc-status')
  const make = (code: ErrorCode, message: string) =>
    new PxCanaryError(code, message, { cause: error, details: { grpcCode: codeName(ce.code) } })

  if (ce.code === Code.DeadlineExceeded) {
    return make('pixie_deadline_exceeded', `Pixie at ${target} did not answer in time: ${text}`)
  }
  if (fromServer) {
    switch (ce.code) {
      case Code.Unauthenticated:
        return make('pixie_unauthenticated', `Pixie at ${target} rejected the credentials: ${text}`)
      case Code.Internal:
        if (text.startsWith('Auth middleware failed')) {
          return make(
            'pixie_unauthenticated',
            `Pixie at ${target} rejected the credentials: ${text}`
          )
        }
        if (text.includes('Large data batch rejected')) {
          return make('pixie_result_too_large', `Pixie at ${target} refused a large batch: ${text}`)
        }
        break
      case Code.PermissionDenied:
        return make('pixie_permission_denied', `Pixie at ${target} denied access: ${text}`)
      case Code.Unavailable:
        return make('pixie_unavailable', `Pixie at ${target} is unavailable: ${text}`)
      case Code.InvalidArgument:
        return make('pixie_script_error', `Pixie at ${target} rejected the script: ${text}`)
    }
    return make(
      'pixie_transport_error',
      `Pixie at ${target} failed the call with ${codeName(ce.code)}: ${text}`
    )
  }
  if (ce.code === Code.ResourceExhausted) {
    return make('pixie_result_too_large', `a message from Pixie at ${target} is too large: ${text}`)
  }
  if (
    text.startsWith('parse binary') ||
    text.startsWith('unsupported content type') ||
    text.startsWith('invalid grpc-status') ||
    text.includes('envelope') ||
    text.startsWith('protocol error: promised')
  ) {
    return make('pixie_protocol_error', `Pixie at ${target} sent a malformed response: ${text}`)
  }
  return make('pixie_transport_error', `cannot talk to Pixie at ${target}: ${text}`)
}
