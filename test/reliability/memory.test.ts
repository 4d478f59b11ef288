// Bounded memory: a result over the client's caps (10,000 rows per table, 8 MiB of decoded data,
// 8 MiB per gRPC message) is refused while it streams in, and the app answers 502
// pixie_result_too_large instead of buffering it or producing a figure. The real client, at its
// default caps, against the Vizier double; and a Vizier flooding table metadata is refused as
// soon as the tables cross their cap, through a spawned bundle.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createVizierClient } from '../../shared/pixie/client'
import type { VizierClient } from '../../shared/pixie/types'
import { HTTP_STATS_TABLE } from '../../shared/pxl/http-stats'
import { statsRow } from '../helpers/stats-result'
import { getJson } from '../helpers/bundle-fixtures'
import { readRssBytes, startBundle } from '../helpers/spawn'
import type { RunningBundle } from '../helpers/spawn'
import { floodMetadata, respondWithTable, startVizierDouble } from '../vizier-double'
import type { DoubleRow, VizierBehaviour, VizierDouble } from '../vizier-double'
import { echoedStatsColumns, echoFor, metricApp } from './helpers'

const QUERY = '/?namespace=shop&replicaset=web-6d8f9'
const MIB = 1024 * 1024

/** The stats table with `count` rows (each echoing the call), as `make(i)` shapes them. */
function manyRows(
  count: number,
  make: (i: number) => Partial<DoubleRow> = () => ({}),
  batchSize?: number
): VizierBehaviour {
  return (call) => {
    const func = call.request.execFuncs[0]!
    const echo = echoFor(
      func.funcName,
      Object.fromEntries(func.argValues.map((a) => [a.name, a.value]))
    )
    const base: DoubleRow = { ...statsRow({ requests: 1 }), ...echo }
    const rows = Array.from({ length: count }, (_, i) => ({ ...base, ...make(i) }) as DoubleRow)
    return respondWithTable(
      { name: HTTP_STATS_TABLE, columns: echoedStatsColumns(), rows },
      batchSize === undefined ? {} : { batchSize }
    )(call)
  }
}

describe('bounded memory (real client at its default caps, Vizier double)', () => {
  let double: VizierDouble
  let client: VizierClient

  beforeAll(async () => {
    double = await startVizierDouble(manyRows(1))
    client = createVizierClient({ mode: 'direct', address: double.address })
  })

  afterAll(async () => {
    await client?.close()
    await double?.close()
  })

  async function expectTooLarge(): Promise<void> {
    const res = await metricApp('error-rate', { client, requestTimeoutMs: 20_000 }).request(QUERY)
    const body = (await res.json()) as Record<string, any>
    expect(res.status, JSON.stringify(body).slice(0, 300)).toBe(502)
    expect(body.error.code).toBe('pixie_result_too_large')
    expect(Object.keys(body)).toEqual(['error'])
  }

  it('should answer a one-row result as usual (the cases below only make it bigger)', async () => {
    double.setBehaviour(manyRows(1))
    const res = await metricApp('error-rate', { client }).request(QUERY)
    expect(res.status).toBe(200)
  })

  it('should accept exactly 10,000 rows at the client, then refuse them as a measurement', async () => {
    // At the cap the client still assembles the table; the decoder refuses more than one row.
    double.setBehaviour(manyRows(10_000))
    const res = await metricApp('error-rate', { client }).request(QUERY)
    expect(res.status).toBe(502)
    expect(((await res.json()) as any).error.code).toBe('result_unexpected_rows')
  })

  it('should answer 502 pixie_result_too_large for 10,001 rows', async () => {
    double.setBehaviour(manyRows(10_001))
    await expectTooLarge()
  })

  it('should answer 502 pixie_result_too_large for more than 8 MiB of decoded data', async () => {
    // 9 rows of 1 MiB strings, one per batch: each message is small, the result is not.
    const big = 'x'.repeat(MIB)
    double.setBehaviour(manyRows(9, () => ({ latency_quantiles: big }), 1))
    await expectTooLarge()
  })

  it('should still answer normally afterwards (nothing wedged or retained)', async () => {
    double.setBehaviour(manyRows(1))
    const res = await metricApp('error-rate', { client }).request(QUERY)
    expect(res.status).toBe(200)
  })
})

describe('bounded memory: one gRPC message over 8 MiB', () => {
  let double: VizierDouble
  let client: VizierClient

  beforeAll(async () => {
    double = await startVizierDouble(
      manyRows(1, () => ({ latency_quantiles: 'y'.repeat(9 * MIB) }))
    )
    client = createVizierClient({ mode: 'direct', address: double.address })
  })

  afterAll(async () => {
    await client?.close()
    await double?.close()
  })

  it('should answer 502 pixie_result_too_large', async () => {
    const res = await metricApp('error-rate', { client, requestTimeoutMs: 20_000 }).request(QUERY)
    const body = (await res.json()) as Record<string, any>
    expect(res.status, JSON.stringify(body).slice(0, 300)).toBe(502)
    expect(body.error.code).toBe('pixie_result_too_large')
    expect(Object.keys(body)).toEqual(['error'])
  })

  it('should recover afterwards: the next query opens a fresh HTTP/2 session and answers', async () => {
    // The server side may refuse further streams on the session the oversized message was
    // cancelled on (a Node server answers ENHANCE_YOUR_CALM); the client must not stay wedged.
    double.setBehaviour(manyRows(1))
    let res = await metricApp('error-rate', { client }).request(QUERY)
    if (res.status !== 200) res = await metricApp('error-rate', { client }).request(QUERY)
    expect(res.status).toBe(200)
    expect(((await res.json()) as Record<string, any>).requests).toBe(1)
  })
})

describe('a metadata flood through a spawned bundle', () => {
  let double: VizierDouble
  let fn: RunningBundle

  beforeAll(async () => {
    // 60 columns stay within the relation cap: the table count and the byte cap must hold.
    double = await startVizierDouble(floodMetadata(100_000, 60))
    fn = await startBundle('error-rate', { PX_DIRECT_ADDR: double.address })
  })

  afterAll(async () => {
    await fn?.stop('SIGKILL')
    await double?.close()
  })

  it('should answer 502 pixie_result_too_large at once, its memory barely moved', async () => {
    const before = readRssBytes(fn.pid)!
    const { status, body } = await getJson(`${fn.url}${QUERY}`, { timeoutMs: 20_000 })
    expect(status, JSON.stringify(body)).toBe(502)
    expect(body.error.code).toBe('pixie_result_too_large')
    // Counted before stored: the flood is refused after a few tables, not after the deadline.
    expect(readRssBytes(fn.pid)! - before).toBeLessThan(32 * MIB)
    expect(await double.requests.at(-1)!.outcome).toBe('cancelled')
  })
})
