/**
 * Error bodies can carry upstream text (Pixie's messages): this middleware removes configured
 * secrets from every error body, should an upstream message ever echo one. 2xx bodies are ours
 * alone and pass untouched.
 */
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../http-errors'

export function scrubSecrets(scrub: (text: string) => string): MiddlewareHandler<AppEnv> {
  return async function scrubErrors(c, next) {
    await next()
    if (c.res.status < 400) return
    const text = await c.res.clone().text()
    const clean = scrub(text)
    if (clean === text) return
    const headers = new Headers(c.res.headers)
    headers.delete('content-length')
    c.res = new Response(clean, { status: c.res.status, headers })
  }
}
