/**
 * gRPC's wire format over HTTP/2, the parts that need no socket: the 5-byte length-prefixed
 * message framing (both ways), the grpc-timeout header, and reading grpc-status / grpc-message.
 * Pure, so the tricky cases (a message split across DATA frames, several in one) are unit-tested.
 */
import { GrpcCode, GrpcError } from './grpc-status'

/** Bytes before each message: a flags byte (bit 0: compressed) and a big-endian uint32 length. */
const PREFIX_BYTES = 5

/** Frames one message: flags 0 (uncompressed), length, body. */
export function encodeGrpcMessage(body: Uint8Array): Uint8Array {
  const frame = new Uint8Array(PREFIX_BYTES + body.byteLength)
  new DataView(frame.buffer).setUint32(1, body.byteLength)
  frame.set(body, PREFIX_BYTES)
  return frame
}

/**
 * Splits a response body, fed as it arrives in DATA chunks of any size, into messages.
 * A message longer than `maxMessageBytes` is refused from its prefix alone, before buffering it.
 * Compressed messages are refused: the client never offers a grpc-accept-encoding, so a server
 * must not compress.
 */
export class GrpcMessageDecoder {
  private chunks: Uint8Array[] = []
  private buffered = 0
  /** Body length of the message being read once its prefix is in, else -1. */
  private need = -1

  constructor(private readonly maxMessageBytes: number) {}

  /** Feeds one chunk; returns the messages it completed (possibly none, possibly several). */
  push(chunk: Uint8Array): Uint8Array[] {
    if (chunk.byteLength > 0) {
      this.chunks.push(chunk)
      this.buffered += chunk.byteLength
    }
    const messages: Uint8Array[] = []
    for (;;) {
      if (this.need < 0) {
        if (this.buffered < PREFIX_BYTES) break
        const prefix = this.take(PREFIX_BYTES)
        const flags = prefix[0]!
        const length = new DataView(prefix.buffer, prefix.byteOffset, PREFIX_BYTES).getUint32(1)
        if (flags & 1) {
          throw new GrpcError(
            GrpcCode.INTERNAL,
            'received a compressed message, but no compression was negotiated',
            'protocol'
          )
        }
        if (flags !== 0) {
          throw new GrpcError(
            GrpcCode.INTERNAL,
            `received a message with unknown flags 0x${flags.toString(16)}`,
            'protocol'
          )
        }
        if (length > this.maxMessageBytes) {
          throw new GrpcError(
            GrpcCode.RESOURCE_EXHAUSTED,
            `message of ${length} bytes is larger than the ${this.maxMessageBytes}-byte limit`,
            'limit'
          )
        }
        this.need = length
      }
      if (this.buffered < this.need) break
      messages.push(this.take(this.need))
      this.need = -1
    }
    return messages
  }

  /** True when the body so far ends inside a message (a truncated response if the stream ends). */
  get partial(): boolean {
    return this.need >= 0 || this.buffered > 0
  }

  /** Removes n buffered bytes (n <= buffered); no copy when the first chunk holds them all. */
  private take(n: number): Uint8Array {
    if (n === 0) return new Uint8Array(0)
    this.buffered -= n
    const first = this.chunks[0]!
    if (first.byteLength >= n) {
      if (first.byteLength === n) this.chunks.shift()
      else this.chunks[0] = first.subarray(n)
      return first.subarray(0, n)
    }
    const out = new Uint8Array(n)
    let filled = 0
    while (filled < n) {
      const chunk = this.chunks[0]!
      const want = n - filled
      if (chunk.byteLength <= want) {
        out.set(chunk, filled)
        filled += chunk.byteLength
        this.chunks.shift()
      } else {
        out.set(chunk.subarray(0, want), filled)
        this.chunks[0] = chunk.subarray(want)
        filled = n
      }
    }
    return out
  }
}

/**
 * The grpc-timeout header for a deadline in milliseconds: at most 8 digits and a unit, rounded
 * up so the server never sees a shorter deadline than ours.
 */
export function grpcTimeoutHeader(ms: number): string {
  const whole = Math.max(1, Math.ceil(ms))
  if (whole < 1e8) return `${whole}m`
  const seconds = Math.ceil(whole / 1000)
  if (seconds < 1e8) return `${seconds}S`
  return `${Math.min(99_999_999, Math.ceil(seconds / 3600))}H`
}

/**
 * grpc-message is percent-encoded UTF-8. A malformed encoding is kept as sent rather than
 * failing the call: the status code is what matters, the message is for people.
 */
export function decodeGrpcMessage(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

/** A gRPC status read from trailers (or trailers-only headers). */
export interface GrpcStatus {
  code: number
  message: string
}

type HeaderValue = string | string[] | number | undefined

function single(value: HeaderValue): string | undefined {
  if (value === undefined) return undefined
  return Array.isArray(value) ? value.join(',') : String(value)
}

/**
 * Reads grpc-status and grpc-message; undefined when there is no grpc-status. Throws a protocol
 * GrpcError for a grpc-status that is not a decimal number.
 */
export function readGrpcStatus(headers: Record<string, HeaderValue>): GrpcStatus | undefined {
  const status = single(headers['grpc-status'])
  if (status === undefined) return undefined
  if (!/^\d{1,10}$/.test(status.trim())) {
    throw new GrpcError(
      GrpcCode.INTERNAL,
      `invalid grpc-status ${JSON.stringify(status)}`,
      'protocol'
    )
  }
  return {
    code: Number(status.trim()),
    message: decodeGrpcMessage(single(headers['grpc-message']) ?? ''),
  }
}
