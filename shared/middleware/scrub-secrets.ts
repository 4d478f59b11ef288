/**
 * Removes configured secrets from every answer body, whatever its status: error bodies can carry
 * upstream text (Pixie's messages), and a 200 echoes the caller's selector values, which may hold
 * a secret sent by mistake (a token pasted as a pod prefix). A value equal to a secret, or a head
 * or tail of one left by a cut, reads `[redacted]`.
 * The app's own JSON answers (http-errors.ts jsonAnswer) are scrubbed as they are serialised,
 * with the function this middleware puts on the context; any other body is read back and
 * scrubbed here (reading a Response back through its stream costs about 70 us, measured by
 * bench/own-cost-split.ts).
 */
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../http-errors'

export function scrubSecrets(scrub: (text: string) => string): MiddlewareHandler<AppEnv> {
  return async function scrubBodies(c, next) {
    c.set('scrubBody', scrub)
    await next()
    if (c.res === c.get('scrubbedResponse') || c.res.body === null) return
    const text = await c.res.clone().text()
    const clean = scrub(text)
    if (clean === text) return
    const headers = new Headers(c.res.headers)
    headers.delete('content-length')
    c.res = new Response(clean, { status: c.res.status, headers })
  }
}
