/**
 * The service JWT Vizier's query broker requires in-cluster: HS256 over the UTF-8 bytes of the
 * cluster's signing key (Secret `pl-cluster-secrets`, key `jwt-signing-key`, used as is, never
 * hex-decoded), with the claims of Pixie's own service tokens (pixie-io/pixie
 * src/shared/services/utils/claims.go GenerateJWTForService; audience `vizier` from
 * src/vizier/services/query_broker/querybrokerenv/env.go).
 *
 * iat and nbf are left out on purpose: Vizier validates them with zero clock skew (lestrrat-go/jwx
 * v1.2.26 jwt/validate.go), so a function clock a second ahead of the broker's would be refused.
 * A token lives 10 minutes and is re-minted when less than 2 minutes remain, so a call never
 * starts with a token about to expire. The key and the token are never logged or put in errors.
 * The claims are serialised here and signed with jose's CompactSign: jose's JWT builder would add
 * its claim validation code (~2.5 KB) to every function bundle for nothing.
 */
import { CompactSign } from 'jose'

/** Pixie's service token subject and ServiceID for px-canary. */
export const SERVICE_ID = 'px-canary'
/** How long a minted token is valid. */
export const TOKEN_LIFETIME_S = 600
/** A cached token with less than this left is replaced before use. */
export const REFRESH_BEFORE_S = 120

export interface ServiceTokenSource {
  /** A valid token: the cached one, or a freshly minted one when it is close to expiry. */
  token(): Promise<string>
  /** Forgets the cached token (Vizier refused it): the next token() mints a new one. */
  invalidate(): void
}

export interface ServiceTokenOptions {
  /** The Secret's `jwt-signing-key` value exactly as stored. */
  signingKey: string
  /** Current time in ms since the epoch (default Date.now); tests pass an emulated clock. */
  now?: () => number
}

/** Creates a token source. Nothing is signed until the first token(). */
export function createServiceTokenSource(options: ServiceTokenOptions): ServiceTokenSource {
  if (options.signingKey === '') throw new TypeError('the JWT signing key is empty')
  const key = new TextEncoder().encode(options.signingKey)
  const now = options.now ?? Date.now
  let cached: { token: string; exp: number } | undefined
  let minting: Promise<string> | undefined

  async function mint(): Promise<string> {
    const exp = Math.floor(now() / 1000) + TOKEN_LIFETIME_S
    // Custom claims as strings, the JSON types Pixie's TokenToProto asserts.
    const claims = {
      aud: 'vizier',
      exp,
      iss: 'PL',
      sub: SERVICE_ID,
      Scopes: 'service',
      ServiceID: SERVICE_ID,
    }
    const token = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(key)
    cached = { token, exp }
    return token
  }

  return {
    token() {
      if (cached && cached.exp - now() / 1000 >= REFRESH_BEFORE_S) {
        return Promise.resolve(cached.token)
      }
      // Concurrent calls share one signing.
      minting ??= mint().finally(() => {
        minting = undefined
      })
      return minting
    },
    invalidate() {
      cached = undefined
    },
  }
}
