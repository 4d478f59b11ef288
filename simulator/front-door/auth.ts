/**
 * Vizier's service-JWT check, as the query broker runs it on every gRPC call: the bearer token is
 * taken from `authorization` (grpc-ecosystem/go-grpc-middleware v1.3.0 auth/metadata.go
 * AuthFromMD), verified as HS256 with the signing-key string's own bytes as the HMAC key, then
 * validated iat, exp, nbf, aud in that order with zero skew (pixie-io/pixie
 * src/shared/services/authcontext/context.go UseJWTAuth; lestrrat-go/jwx v1.2.26 jwt/jwt.go,
 * jwt/validate.go), and finally converted to claims with unchecked type assertions
 * (pixie-io/pixie src/shared/services/utils/jwt.go TokenToProto).
 *
 * The messages are jwx's, wrapped as Pixie wraps them (pixie-io/pixie
 * src/shared/services/server/grpc_server.go createGRPCAuthFunc): "invalid auth token: <jwx error>".
 * The signature itself is checked with jose; Pixie's claim rules (not jose's) decide validity.
 */
import { compactVerify, errors as joseErrors } from 'jose'

/** The audience Vizier's query broker expects (pixie-io/pixie querybrokerenv/env.go). */
export const VIZIER_AUDIENCE = 'vizier'

export type AuthOutcome =
  | { ok: true; claims: Record<string, unknown> }
  /** gRPC UNAUTHENTICATED with this message. */
  | { ok: false; kind: 'unauthenticated'; message: string }
  /**
   * TokenToProto's type assertion panics on a custom claim of the wrong JSON type. No recovery
   * interceptor is installed, so the query broker process dies: every connection drops.
   */
  | { ok: false; kind: 'panic'; message: string }

export interface AuthCheckOptions {
  /** The Secret's `jwt-signing-key` value, used as is (its UTF-8 bytes are the HMAC key). */
  signingKey: string
  /** Default 'vizier'. */
  audience?: string
  /** Current time in ms since the epoch. */
  nowMs: number
}

const INVALID = 'invalid auth token: '
const VERIFY = 'failed to verify jws signature: '

function unauthenticated(message: string): AuthOutcome {
  return { ok: false, kind: 'unauthenticated', message }
}

/** Go's name for the dynamic type a JSON value decodes to (encoding/json into interface{}). */
function goType(value: unknown): string {
  if (typeof value === 'number') return 'float64'
  if (typeof value === 'boolean') return 'bool'
  if (typeof value === 'string') return 'string'
  if (Array.isArray(value)) return '[]interface {}'
  return 'map[string]interface {}'
}

/** `claims[name].(want)` in Go: nil when absent, a panic message when the type differs. */
function assertion(claims: Record<string, unknown>, name: string, want: 'string' | 'bool') {
  if (!(name in claims)) return undefined
  const value = claims[name]
  if (value === null) return `interface conversion: interface is nil, not ${want}`
  const actual = goType(value)
  return actual === want
    ? undefined
    : `interface conversion: interface {} is ${actual}, not ${want}`
}

/** A NumericDate claim truncated to whole seconds, or undefined when absent or zero. */
function seconds(value: unknown): number | undefined {
  if (typeof value !== 'number') return undefined
  const s = Math.trunc(value)
  return s === 0 ? undefined : s
}

/**
 * Checks one call's `authorization` header value (null when absent) exactly as Vizier's query
 * broker does.
 */
export async function checkVizierAuth(
  authorization: string | null | undefined,
  options: AuthCheckOptions
): Promise<AuthOutcome> {
  // AuthFromMD: first value, split on the first space, scheme compared case-insensitively.
  const value = authorization ?? ''
  if (value === '') return unauthenticated('Request unauthenticated with bearer')
  const space = value.indexOf(' ')
  if (space < 0) return unauthenticated('Bad authorization string')
  if (value.slice(0, space).toLowerCase() !== 'bearer') {
    return unauthenticated('Request unauthenticated with bearer')
  }
  // jws.Verify trims the buffer, rejects an empty one, and uses the first three segments.
  const token = value.slice(space + 1).trim()
  if (token === '') return unauthenticated(`${INVALID}${VERIFY}attempt to verify empty buffer`)
  const parts = token.split('.')
  if (parts.length < 3) {
    return unauthenticated(
      `${INVALID}${VERIFY}failed extract from compact serialization format: invalid number of segments`
    )
  }
  let payload: Uint8Array
  try {
    const key = new TextEncoder().encode(options.signingKey)
    ;({ payload } = await compactVerify(parts.slice(0, 3).join('.'), key, {
      algorithms: ['HS256'],
    }))
  } catch (err) {
    if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
      return unauthenticated(
        `${INVALID}${VERIFY}failed to verify message: failed to match hmac signature`
      )
    }
    if (err instanceof joseErrors.JOSEAlgNotAllowed) {
      // jwx verifies with HS256 whatever the header says; this stand-in refuses other headers.
      return unauthenticated(
        `${INVALID}${VERIFY}failed to verify message: failed to match hmac signature`
      )
    }
    return unauthenticated(`${INVALID}${VERIFY}failed to decode headers`)
  }
  let claims: Record<string, unknown>
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(payload))
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error()
    claims = parsed as Record<string, unknown>
  } catch {
    return unauthenticated(`${INVALID}failed to parse token`)
  }
  const aud = claims.aud
  const audience =
    aud === undefined
      ? undefined
      : typeof aud === 'string'
        ? [aud]
        : Array.isArray(aud) && aud.every((a) => typeof a === 'string')
          ? (aud as string[])
          : null
  for (const name of ['exp', 'iat', 'nbf']) {
    if (claims[name] !== undefined && typeof claims[name] !== 'number') {
      return unauthenticated(`${INVALID}failed to parse token`)
    }
  }
  if (audience === null) return unauthenticated(`${INVALID}failed to parse token`)

  // jwt.Validate: default validators iat, exp, nbf (whole seconds, zero skew), then the audience.
  const now = Math.floor(options.nowMs / 1000)
  const iat = seconds(claims.iat)
  if (iat !== undefined && now < iat) return unauthenticated(`${INVALID}iat not satisfied`)
  const exp = seconds(claims.exp)
  if (exp !== undefined && !(now < exp)) return unauthenticated(`${INVALID}exp not satisfied`)
  const nbf = seconds(claims.nbf)
  if (nbf !== undefined && now < nbf) return unauthenticated(`${INVALID}nbf not satisfied`)
  if (audience === undefined) return unauthenticated(`${INVALID}claim "aud" not found`)
  if (!audience.includes(options.audience ?? VIZIER_AUDIENCE)) {
    return unauthenticated(`${INVALID}aud not satisfied`)
  }

  // TokenToProto: Scopes, then user, service or cluster claims, by unchecked assertions.
  const checks: Array<[string, 'string' | 'bool']> = [['Scopes', 'string']]
  if ('UserID' in claims) {
    checks.push(['UserID', 'string'], ['OrgID', 'string'], ['Email', 'string'])
    checks.push(['IsAPIUser', 'bool'])
  } else if ('ServiceID' in claims) checks.push(['ServiceID', 'string'])
  else if ('ClusterID' in claims) checks.push(['ClusterID', 'string'])
  for (const [name, want] of checks) {
    const panic = assertion(claims, name, want)
    if (panic !== undefined) return { ok: false, kind: 'panic', message: `panic: ${panic}` }
  }
  return { ok: true, claims }
}
