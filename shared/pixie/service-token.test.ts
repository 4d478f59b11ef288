// The service JWT against the simulator's restatement of Vizier's check (simulator/front-door/
// auth.ts: pixie-io/pixie src/shared/services/authcontext/context.go UseJWTAuth, lestrrat-go/jwx
// v1.2.26 jwt/validate.go), with an emulated clock: claims as Pixie's own service tokens
// (pixie-io/pixie src/shared/services/utils/claims.go GenerateJWTForService), expiry, refresh.
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import { checkVizierAuth } from '../../simulator/front-door/auth'
import { createServiceTokenSource, REFRESH_BEFORE_S, TOKEN_LIFETIME_S } from './service-token'

const KEY = 'a3f1'.repeat(32)
const T0 = 1_800_000_000_000

function clock(start = T0) {
  const c = { ms: start, now: () => c.ms }
  return c
}

const vizierAccepts = async (token: string, nowMs: number, signingKey = KEY) =>
  checkVizierAuth(`bearer ${token}`, { signingKey, nowMs })

describe('service token', () => {
  it("should carry Pixie's service-token claims, HS256, and no iat or nbf", async () => {
    const c = clock()
    const token = await createServiceTokenSource({ signingKey: KEY, now: c.now }).token()
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' })
    expect(decodeJwt(token)).toEqual({
      aud: 'vizier',
      sub: 'px-canary',
      iss: 'PL',
      exp: T0 / 1000 + TOKEN_LIFETIME_S,
      Scopes: 'service',
      ServiceID: 'px-canary',
    })
  })

  it("should be accepted by Vizier's check until it expires, and only with the same key", async () => {
    const c = clock()
    const token = await createServiceTokenSource({ signingKey: KEY, now: c.now }).token()
    expect(await vizierAccepts(token, T0)).toMatchObject({ ok: true })
    // Zero skew tolerance: a broker clock behind ours still accepts (no iat/nbf to fail).
    expect(await vizierAccepts(token, T0 - 30_000)).toMatchObject({ ok: true })
    expect(await vizierAccepts(token, T0 + (TOKEN_LIFETIME_S - 1) * 1000)).toMatchObject({
      ok: true,
    })
    expect(await vizierAccepts(token, T0 + TOKEN_LIFETIME_S * 1000)).toEqual({
      ok: false,
      kind: 'unauthenticated',
      message: 'invalid auth token: exp not satisfied',
    })
    expect(await vizierAccepts(token, T0, `${KEY}\n`)).toMatchObject({
      ok: false,
      message: expect.stringContaining('failed to match hmac signature'),
    })
  })

  it('should reuse the token until less than two minutes remain, then mint a valid new one', async () => {
    const c = clock()
    const source = createServiceTokenSource({ signingKey: KEY, now: c.now })
    const first = await source.token()
    c.ms = T0 + (TOKEN_LIFETIME_S - REFRESH_BEFORE_S) * 1000
    expect(await source.token()).toBe(first)
    c.ms += 1000
    const second = await source.token()
    expect(second).not.toBe(first)
    expect(decodeJwt(second).exp).toBe(c.ms / 1000 + TOKEN_LIFETIME_S)
    // Across the first token's expiry the source keeps answering with accepted tokens.
    c.ms = T0 + TOKEN_LIFETIME_S * 1000 + 5000
    expect(await vizierAccepts(first, c.ms)).toMatchObject({ ok: false })
    expect(await vizierAccepts(await source.token(), c.ms)).toMatchObject({ ok: true })
  })

  it('should mint anew after invalidate, and sign once for concurrent callers', async () => {
    const c = clock()
    const source = createServiceTokenSource({ signingKey: KEY, now: c.now })
    const [a, b] = await Promise.all([source.token(), source.token()])
    expect(a).toBe(b)
    c.ms += 1000
    source.invalidate()
    const fresh = await source.token()
    expect(fresh).not.toBe(a)
    expect(decodeJwt(fresh).exp).toBe(decodeJwt(a).exp! + 1)
  })

  it('should refuse an empty signing key', () => {
    expect(() => createServiceTokenSource({ signingKey: '' })).toThrow(/empty/)
  })
})
