/**
 * The one place that turns Pixie's two error channels (the in-band Status on a response, and the
 * gRPC status or transport failure that ends the call) into PxCanaryError codes.
 * Messages name what failed and where, never credentials.
 */
import { PxCanaryError } from '../errors'
import type { ErrorCode } from '../errors'
import type { Status } from './vizierapi'
import { GrpcCode, GrpcError, grpcCodeName } from './grpc-status'

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

/** The call did not finish within its deadline: the one deadline error, whoever saw it first. */
export function deadlineError(timeoutMs: number, cause?: unknown): PxCanaryError {
  return new PxCanaryError(
    'pixie_deadline_exceeded',
    `Pixie did not answer within the ${timeoutMs} ms deadline`,
    { ...(cause === undefined ? {} : { cause }), details: { timeout_ms: timeoutMs } }
  )
}

/**
 * A transport failure this close to the deadline is the deadline: a server that honours the
 * grpc-timeout the client sends may end the call (CANCELLED, RST_STREAM) a moment before the
 * client's own timer fires, and the caller should read that as 504, not as a broken Pixie.
 */
export const DEADLINE_EDGE_MS = 250

/**
 * The one decision between deadline and transport failure: a transport failure with at most
 * DEADLINE_EDGE_MS left before the deadline becomes the deadline error; anything else stays.
 */
export function deadlineOrTransport(err: unknown, timeoutMs: number, msLeft: number): unknown {
  if (
    err instanceof PxCanaryError &&
    err.code === 'pixie_transport_error' &&
    msLeft <= DEADLINE_EDGE_MS
  ) {
    return deadlineError(timeoutMs, err)
  }
  return err
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
          compiler_message: first.message,
          errors: compilerErrors,
          ...(message ? { status_message: message } : {}),
        },
      }
    )
  }

  const text = message || `status code ${code}`
  // The in-band Status carries google.rpc.Code numbers, the same as gRPC's.
  const details = { grpc_code: code }
  switch (code) {
    case GrpcCode.UNAUTHENTICATED:
      return new PxCanaryError('pixie_unauthenticated', `Pixie rejected the credentials: ${text}`, {
        details,
      })
    case GrpcCode.PERMISSION_DENIED:
      return new PxCanaryError('pixie_permission_denied', `Pixie denied access: ${text}`, {
        details,
      })
    case GrpcCode.UNAVAILABLE:
      return new PxCanaryError('pixie_unavailable', `Pixie is unavailable: ${text}`, { details })
    case GrpcCode.DEADLINE_EXCEEDED:
      return new PxCanaryError('pixie_deadline_exceeded', `Pixie ran out of time: ${text}`, {
        details,
      })
    default:
      return new PxCanaryError('pixie_script_error', `Pixie failed to run the script: ${text}`, {
        details,
      })
  }
}

/**
 * The compile error of a script that outputs only through exec_funcs when they are ignored, as
 * Pixie's standalone PEM does (pixie-io/pixie src/carnot/planner/compiler/compiler.cc
 * VerifyGraphHasMemorySink; src/experimental/standalone_pem/vizier_server.h).
 */
const NO_RESULT_COMPILE_ERROR = 'query does not output a result'

/** Node's TLS errors that mean the server's certificate was not verified. */
const TLS_VERIFY_CODES: ReadonlySet<string> = new Set([
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
])

function tlsVerifyFailure(error: PxCanaryError): boolean {
  for (let e: unknown = error.cause, depth = 0; e instanceof Error && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && TLS_VERIFY_CODES.has(code)) return true
    e = e.cause
  }
  return false
}

/**
 * In-cluster mode's advice on top of a mapped error: what to check when the query broker refused
 * the service JWT, or when its certificate did not verify. Other errors pass unchanged.
 */
export function withInClusterAdvice(error: PxCanaryError): PxCanaryError {
  let advice: string | undefined
  if (error.code === 'pixie_unauthenticated') {
    advice =
      'check that PX_JWT_SIGNING_KEY_FILE holds the jwt-signing-key of Secret pl-cluster-secrets ' +
      "in Pixie's namespace, copied byte for byte, and that this node's clock is right"
  } else if (error.code === 'pixie_transport_error' && tlsVerifyFailure(error)) {
    advice =
      "the query broker's certificate did not verify: mount ca.crt of Secret service-tls-certs " +
      "from Pixie's namespace as PX_VIZIER_CA_FILE, and address the broker by its Service name " +
      'vizier-query-broker-svc.<namespace>.svc (or set PX_VIZIER_SERVER_NAME to it)'
  }
  if (advice === undefined) return error
  return new PxCanaryError(error.code, `${error.message}; ${advice}`, {
    cause: error.cause,
    ...(error.details ? { details: error.details } : {}),
  })
}

/**
 * Maps a failed call to a PxCanaryError. A status the server sent (grpc-status in its trailers)
 * is read by code and message; anything raised locally (connection refused, reset, RST_STREAM,
 * a stream cut before its status, a malformed response) is a transport or protocol failure.
 * `target` names the server in messages (an address, never a key).
 */
export function errorFromTransport(error: unknown, target: string): PxCanaryError {
  if (error instanceof PxCanaryError) return error
  if (!(error instanceof GrpcError)) {
    const text = error instanceof Error ? error.message : String(error)
    return new PxCanaryError(
      'pixie_transport_error',
      `cannot talk to Pixie at ${target}: ${text}`,
      {
        cause: error,
      }
    )
  }
  const text = error.rawMessage
  const details: Record<string, unknown> = { grpc_code: grpcCodeName(error.code) }
  if (error.httpStatus !== undefined && error.httpStatus !== 200) {
    details.http_status = error.httpStatus
  }
  const make = (code: ErrorCode, message: string) =>
    new PxCanaryError(code, message, { cause: error, details })

  if (error.code === GrpcCode.DEADLINE_EXCEEDED) {
    return make('pixie_deadline_exceeded', `Pixie at ${target} did not answer in time: ${text}`)
  }
  switch (error.source) {
    case 'server':
      switch (error.code) {
        case GrpcCode.UNAUTHENTICATED:
          return make(
            'pixie_unauthenticated',
            `Pixie at ${target} rejected the credentials: ${text}`
          )
        case GrpcCode.INTERNAL:
          if (text.startsWith('Auth middleware failed')) {
            return make(
              'pixie_unauthenticated',
              `Pixie at ${target} rejected the credentials: ${text}`
            )
          }
          if (text.includes('Large data batch rejected')) {
            return make(
              'pixie_result_too_large',
              `Pixie at ${target} refused a large batch: ${text}`
            )
          }
          break
        case GrpcCode.PERMISSION_DENIED:
          return make('pixie_permission_denied', `Pixie at ${target} denied access: ${text}`)
        case GrpcCode.UNAVAILABLE:
          return make('pixie_unavailable', `Pixie at ${target} is unavailable: ${text}`)
        case GrpcCode.INVALID_ARGUMENT:
          if (text.includes(NO_RESULT_COMPILE_ERROR)) {
            return make(
              'pixie_standalone_pem',
              `Pixie at ${target} compiled the script without its exec_funcs, as a standalone PEM does ` +
                `("${NO_RESULT_COMPILE_ERROR}"): a standalone PEM cannot serve px-canary; point ` +
                'PX_VIZIER_ADDR at the query broker (in-cluster mode) or use Pixie Cloud'
            )
          }
          return make('pixie_script_error', `Pixie at ${target} rejected the script: ${text}`)
      }
      return make(
        'pixie_transport_error',
        `Pixie at ${target} failed the call with ${grpcCodeName(error.code)}: ${text}`
      )
    case 'limit':
      return make(
        'pixie_result_too_large',
        `a message from Pixie at ${target} is too large: ${text}`
      )
    case 'protocol':
      return make('pixie_protocol_error', `Pixie at ${target} sent a malformed response: ${text}`)
    default:
      // 'transport', 'cancelled', and 'http': a non-gRPC answer (a proxy or load balancer's
      // error page) says nothing reliable about Pixie itself.
      return make('pixie_transport_error', `cannot talk to Pixie at ${target}: ${text}`)
  }
}
