// Caller authentication: with a token configured, every metric route of every function (query
// form, path form, GET and HEAD) requires `Authorization: Bearer <token>` and answers anything
// else with 401 JSON `unauthorized`, before validating parameters and without calling Pixie;
// health routes stay open (kubelet and Knative probe without credentials).
import { describe, expect, it } from 'vitest'
import { createFakeVizierClient } from '../helpers/fake-vizier'
import { echoedResult, METRICS, metricApp } from './helpers'
import type { MetricName } from './helpers'

const TOKEN = 'caller-token-0123456789abcdef'

function routes(metric: MetricName): string[] {
  return [
    '/?namespace=shop&replicaset=web-6d8f9',
    '/?namespace=shop&rollout=web&hash=6d8f9&window=5m',
    `/${metric}/shop/web-6d8f9`,
    `/${metric}/shop/web-6d8f9?window=30s`,
    // Invalid parameters: still 401 first, so an anonymous caller learns nothing about them.
    '/?namespace=SHOP',
    `/${metric}/shop/web?unknown=1`,
  ]
}

const REFUSED: Record<string, string | undefined> = {
  'no header': undefined,
  'empty header': '',
  'scheme only': 'Bearer',
  'scheme and a space': 'Bearer ',
  'another scheme': `Basic ${TOKEN}`,
  'no scheme': TOKEN,
  'a token one character short': `Bearer ${TOKEN.slice(0, -1)}`,
  'a token one character long': `Bearer ${TOKEN}x`,
  'a token of the same length that differs': `Bearer ${TOKEN.slice(0, -1)}X`,
  'the token in another case': `Bearer ${TOKEN.toUpperCase()}`,
  'two tokens': `Bearer ${TOKEN} ${TOKEN}`,
  'the token as a comma list': `Bearer ${TOKEN}, Bearer ${TOKEN}`,
  'a much longer value': `Bearer ${TOKEN.repeat(200)}`,
}

function setup(metric: MetricName) {
  const client = createFakeVizierClient((options) =>
    echoedResult(options, { requests: 8, errors: 0, p50Ns: 1, p90Ns: 1, p99Ns: 1, latencySumNs: 8 })
  )
  return { client, app: metricApp(metric, { client, authToken: TOKEN }) }
}

describe('caller auth on every metric route', () => {
  for (const metric of Object.keys(METRICS) as MetricName[]) {
    describe(metric, () => {
      for (const [what, header] of Object.entries(REFUSED)) {
        it(`should answer 401 unauthorized for ${what}, on every route and method`, async () => {
          const { app, client } = setup(metric)
          for (const path of routes(metric)) {
            for (const method of ['GET', 'HEAD']) {
              const res = await app.request(path, {
                method,
                headers: header === undefined ? {} : { authorization: header },
              })
              expect(res.status, `${method} ${path}`).toBe(401)
              expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm=/)
              expect(res.headers.get('content-type')).toMatch(/^application\/json/)
              if (method === 'GET') {
                const body = (await res.json()) as Record<string, any>
                expect(body.error.code).toBe('unauthorized')
                expect(JSON.stringify(body)).not.toContain(TOKEN)
              }
            }
          }
          expect(client.calls).toHaveLength(0)
        })
      }

      it('should answer with the exact token, on both forms (the scheme is case-insensitive)', async () => {
        const { app } = setup(metric)
        for (const header of [`Bearer ${TOKEN}`, `bearer ${TOKEN}`, `Bearer   ${TOKEN}`]) {
          for (const path of routes(metric).slice(0, 4)) {
            const res = await app.request(path, { headers: { authorization: header } })
            expect(res.status, `${header} ${path}`).toBe(200)
          }
          // With the token, bad parameters get their own 400.
          const bad = await app.request('/?namespace=SHOP', { headers: { authorization: header } })
          expect(bad.status).toBe(400)
        }
      })

      it('should keep health routes open without a token', async () => {
        const { app, client } = setup(metric)
        for (const path of ['/health/liveness', '/health/readiness']) {
          expect((await app.request(path)).status).toBe(200)
          expect((await app.request(path, { method: 'HEAD' })).status).toBe(200)
        }
        expect(client.calls).toHaveLength(0)
      })
    })
  }

  it('should not require a token when none is configured', async () => {
    const client = createFakeVizierClient((options) => echoedResult(options, { requests: 1 }))
    const res = await metricApp('throughput', { client }).request('/throughput/shop/web')
    expect(res.status).toBe(200)
  })
})
