// Spawns the bundled function (dist/latency.mjs, built by the vitest global setup) against the
// Vizier test double and calls it over HTTP on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getJson, statsTableSpec } from '../../test/helpers/bundle-fixtures'
import { startBundle } from '../../test/helpers/spawn'
import type { RunningBundle } from '../../test/helpers/spawn'
import { respondWithTable, startVizierDouble } from '../../test/vizier-double'
import type { VizierDouble } from '../../test/vizier-double'

describe('latency bundle', () => {
  let double: VizierDouble
  let fn: RunningBundle

  beforeAll(async () => {
    double = await startVizierDouble(
      respondWithTable(
        statsTableSpec({
          requests: 8,
          latencySumNs: 96_000_000,
          p50Ns: 4e6,
          p90Ns: 2e7,
          p99Ns: 4.5e7,
        })
      )
    )
    fn = await startBundle('latency', { PX_DIRECT_ADDR: double.address })
  })

  afterAll(async () => {
    await fn?.stop('SIGKILL')
    await double?.close()
  })

  it('should answer latency in milliseconds for a rollout hash', async () => {
    const { status, body } = await getJson(
      `${fn.url}/?namespace=shop&rollout=web&hash=6d8f9&quantile=p90&window=5m`
    )
    expect(status).toBe(200)
    expect(body).toMatchObject({
      metric: 'latency',
      value: 20,
      quantile: 'p90',
      latency_ms: { p50: 4, p90: 20, p99: 45, mean: 96 / 8 },
      requests: 8,
      window_seconds: 300,
      selector: {
        namespace: 'shop',
        kind: 'replicaset',
        replicaset: 'web-6d8f9',
        rollout: 'web',
        hash: '6d8f9',
      },
    })
    const func = double.requests.at(-1)!.request.execFuncs[0]!
    expect(func.funcName).toBe('stats_by_replicaset')
    expect(func.argValues.find((a) => a.name === 'replicaset')?.value).toBe('shop/web-6d8f9')
  })

  it('should answer the path form and the health routes', async () => {
    expect((await getJson(`${fn.url}/latency/default/canary-demo-6d8f9`)).body.latency_ms.p99).toBe(
      45
    )
    expect((await getJson(`${fn.url}/health/liveness`)).body).toEqual({ status: 'ok' })
    expect((await getJson(`${fn.url}/nope`)).status).toBe(404)
  })
})
