/**
 * Optional caller authentication: when a token is configured (PX_CANARY_AUTH_TOKEN), metric
 * routes require `Authorization: Bearer <token>`, else 401 `unauthorized` with
 * `WWW-Authenticate: Bearer realm="px-canary"`; health routes never do (kubelet and Knative's
 * queue-proxy probe without credentials). The comparison runs in constant time over SHA-256
 * digests so neither the token's content nor its length leaks through timing.
 *
 * Not hono/bearer-auth: it accepts only RFC 6750 b64token characters in the presented token, so a
 * configured token with any other printable character (which shared/env.ts allows) could never
 * match, and it answers a malformed header 400 where the contract promises 401.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import { PxCanaryError } from '../errors'
import type { AppEnv } from '../http-errors'

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}

/** Returns a checker for Authorization header values against the expected token. */
export function bearerChecker(token: string): (authorization: string | undefined) => boolean {
  const expected = digest(token)
  return (authorization) => {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? '')
    // Always hash and compare, even without a usable header, to keep the timing uniform.
    const given = digest(match?.[1] ?? '')
    return timingSafeEqual(given, expected) && match !== null
  }
}

/** The middleware; passes everything through when no token is configured. */
export function callerAuth(token: string | undefined): MiddlewareHandler<AppEnv> {
  const authorized = token === undefined ? undefined : bearerChecker(token)
  return async function callerAuth(c, next) {
    if (authorized !== undefined && !authorized(c.req.header('authorization'))) {
      c.header('WWW-Authenticate', 'Bearer realm="px-canary"')
      throw new PxCanaryError(
        'unauthorized',
        'this function requires Authorization: Bearer <token>'
      )
    }
    await next()
  }
}
