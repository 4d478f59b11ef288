// Spawns the bundled function (dist/throughput.mjs, built by the vitest global setup) against the
// Vizier test double and calls it over HTTP on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getJson, statsTableSpec } from '../../test/helpers/bundle-fixtures'
import { startBundle } from '../../test/helpers/spawn'
import type { RunningBundle } from '../../test/helpers/spawn'
import { respondWithTable, startVizierDouble } from '../../test/vizier-double'
import type { VizierDouble } from '../../test/vizier-double'

describe('throughput bundle', () => {
  let double: VizierDouble
  let fn: RunningBundle

  beforeAll(async () => {
    double = await startVizierDouble(respondWithTable(statsTableSpec({ requests: 450 })))
    fn = await startBundle('throughput', { PX_DIRECT_ADDR: double.address })
  })

  afterAll(async () => {
    await fn?.stop('SIGKILL')
    await double?.close()
  })

  it('should answer requests per second for a service', async () => {
    const { status, body } = await getJson(`${fn.url}/?namespace=shop&service=web&window=90s`)
    expect(status).toBe(200)
    expect(body).toMatchObject({
      metric: 'throughput',
      value: 5,
      rps: 450 / 90,
      requests: 450,
      window_seconds: 90,
    })
    const func = double.requests.at(-1)!.request.execFuncs[0]!
    expect(func.funcName).toBe('stats_by_service')
    expect(func.argValues.find((a) => a.name === 'service')?.value).toBe('shop/web')
  })

  it('should answer null rps when Pixie found no requests', async () => {
    double.setBehaviour(respondWithTable(statsTableSpec({ requests: 0 })))
    const { status, body } = await getJson(`${fn.url}/throughput/default/canary-demo-6d8f9`)
    expect(status).toBe(200)
    expect(body).toMatchObject({ value: null, rps: null, requests: 0 })
  })
})
