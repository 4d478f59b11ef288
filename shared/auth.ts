/**
 * Optional caller authentication: when a token is configured (PX_CANARY_AUTH_TOKEN), metric
 * routes require `Authorization: Bearer <token>`; health routes never do (kubelet and Knative's
 * queue-proxy probe without credentials). The comparison runs in constant time over SHA-256
 * digests so neither the token's content nor its length leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto'

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
