/**
 * gRPC status codes and the one error type the gRPC transport raises. The transport reports a
 * numeric gRPC code plus where the failure came from (a status the server sent, a broken
 * connection, a malformed response, our own deadline...); error-mapping.ts turns that into
 * PxCanaryError codes.
 */

/** The canonical gRPC status codes (google.rpc.Code), also used by Pixie's in-band Status. */
export const GrpcCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const

export type GrpcCode = (typeof GrpcCode)[keyof typeof GrpcCode]

/** Names used in error messages and details (the spelling px-canary's messages always had). */
const CODE_NAMES = [
  'Ok',
  'Canceled',
  'Unknown',
  'InvalidArgument',
  'DeadlineExceeded',
  'NotFound',
  'AlreadyExists',
  'PermissionDenied',
  'ResourceExhausted',
  'FailedPrecondition',
  'Aborted',
  'OutOfRange',
  'Unimplemented',
  'Internal',
  'Unavailable',
  'DataLoss',
  'Unauthenticated',
]

/** 'Unavailable' for 14; the number itself for a code outside the canonical range. */
export function grpcCodeName(code: number): string {
  return CODE_NAMES[code] ?? String(code)
}

/**
 * Where a failed call failed, which decides how it is reported:
 * - 'server': the server ended the call with this grpc-status (trailers or trailers-only);
 * - 'http': the server answered a non-200 HTTP status without any grpc-status (a proxy, a
 *   load balancer, not a gRPC server); `code` is derived from the HTTP status per the gRPC spec;
 * - 'transport': the connection or the stream broke (refused, reset, TLS, RST_STREAM, GOAWAY);
 * - 'protocol': the response does not follow gRPC over HTTP/2 (framing, content type, status);
 * - 'limit': a message larger than the transport's maximum;
 * - 'deadline': the call's own deadline passed (the stream was cancelled);
 * - 'cancelled': the transport was closed while the call was running.
 */
export type GrpcErrorSource =
  'server' | 'http' | 'transport' | 'protocol' | 'limit' | 'deadline' | 'cancelled'

export interface GrpcErrorOptions {
  cause?: unknown
  /** The HTTP status of the response, when one arrived. */
  httpStatus?: number
}

/**
 * A failed gRPC call. `rawMessage` is the server's grpc-message (percent-decoded) or a description
 * of the local failure; it never contains request headers (so never an API key).
 */
export class GrpcError extends Error {
  override readonly name: string = 'GrpcError'
  readonly code: number
  readonly rawMessage: string
  readonly source: GrpcErrorSource
  readonly httpStatus: number | undefined

  constructor(
    code: number,
    rawMessage: string,
    source: GrpcErrorSource,
    options: GrpcErrorOptions = {}
  ) {
    super(
      `[${grpcCodeName(code)}] ${rawMessage}`,
      options.cause === undefined ? undefined : { cause: options.cause }
    )
    this.code = code
    this.rawMessage = rawMessage
    this.source = source
    this.httpStatus = options.httpStatus
  }
}

/**
 * The gRPC code for an HTTP response that carries no grpc-status, per the gRPC spec's
 * "HTTP to gRPC status code mapping" (doc/http-grpc-status-mapping.md).
 */
export function codeFromHttpStatus(status: number): GrpcCode {
  switch (status) {
    case 400:
      return GrpcCode.INTERNAL
    case 401:
      return GrpcCode.UNAUTHENTICATED
    case 403:
      return GrpcCode.PERMISSION_DENIED
    case 404:
      return GrpcCode.UNIMPLEMENTED
    case 429:
    case 502:
    case 503:
    case 504:
      return GrpcCode.UNAVAILABLE
    default:
      return GrpcCode.UNKNOWN
  }
}

/** HTTP/2 error codes (RFC 9113 section 7) by number, for messages. */
const H2_ERROR_NAMES = [
  'NO_ERROR',
  'PROTOCOL_ERROR',
  'INTERNAL_ERROR',
  'FLOW_CONTROL_ERROR',
  'SETTINGS_TIMEOUT',
  'STREAM_CLOSED',
  'FRAME_SIZE_ERROR',
  'REFUSED_STREAM',
  'CANCEL',
  'COMPRESSION_ERROR',
  'CONNECT_ERROR',
  'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY',
  'HTTP_1_1_REQUIRED',
]

/** 'INTERNAL_ERROR (0x2)'. */
export function h2ErrorName(code: number): string {
  return `${H2_ERROR_NAMES[code] ?? 'UNKNOWN'} (0x${code.toString(16)})`
}

/** The gRPC code for an RST_STREAM / GOAWAY error code, per the gRPC HTTP/2 protocol spec. */
export function codeFromH2Error(code: number): GrpcCode {
  switch (code) {
    case 7: // REFUSED_STREAM: the server did not process the stream
      return GrpcCode.UNAVAILABLE
    case 8: // CANCEL
      return GrpcCode.CANCELLED
    case 11: // ENHANCE_YOUR_CALM
      return GrpcCode.RESOURCE_EXHAUSTED
    case 12: // INADEQUATE_SECURITY
      return GrpcCode.PERMISSION_DENIED
    default:
      return GrpcCode.INTERNAL
  }
}
