import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { jsonAnswer } from '../http-errors'
import type { AppEnv } from '../http-errors'
import { redactSecrets } from '../logger'
import { scrubSecrets } from './scrub-secrets'

const SECRET = 'px-api-key-0123456789abcdef'

function app(): Hono<AppEnv> {
  const a = new Hono<AppEnv>()
  a.use(scrubSecrets((text) => redactSecrets(text, [SECRET])))
  a.get('/json', (c) => jsonAnswer(c, { echoed: `pod ${SECRET}`, other: 'kept' }, 422))
  a.get('/text', (c) => c.text(`upstream said ${SECRET}; and the head ${SECRET.slice(0, 9)}`))
  a.get('/clean', (c) => c.text('nothing secret here'))
  a.get('/empty', (c) => c.body(null, 204))
  return a
}

describe('scrubSecrets', () => {
  it('should redact a secret in an answer made by jsonAnswer, keeping its status and type', async () => {
    const res = await app().request('/json')
    expect(res.status).toBe(422)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await res.json()).toEqual({ echoed: 'pod [redacted]', other: 'kept' })
  })

  it('should redact a secret, and a head of one, in a body made any other way', async () => {
    const res = await app().request('/text')
    const text = await res.text()
    expect(text).toBe('upstream said [redacted]; and the head [redacted]')
    expect(res.headers.get('content-length')).toBeNull()
  })

  it('should leave clean and empty bodies as they were', async () => {
    const clean = await app().request('/clean')
    expect(await clean.text()).toBe('nothing secret here')
    const empty = await app().request('/empty')
    expect(empty.status).toBe(204)
    expect(await empty.text()).toBe('')
  })

  it('should let jsonAnswer answer plain JSON when no secret is configured', async () => {
    const a = new Hono<AppEnv>()
    a.get('/', (c) => jsonAnswer(c, { value: 1 }))
    const res = await a.request('/')
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await res.json()).toEqual({ value: 1 })
  })
})
