// Fail closed: every way Pixie's answer can be wrong, followed from the gRPC stream (the Vizier
// double, the real client) to the HTTP answer of each of the three metric apps. Each is an error
// response with a specific code; none yields a figure. Also with the fake client, for the cases
// that need no wire.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createVizierClient } from '../../shared/pixie/client'
import type { VizierClient } from '../../shared/pixie/types'
import { HTTP_STATS_TABLE } from '../../shared/pxl/http-stats'
import { createFakeVizierClient } from '../helpers/fake-vizier'
import { statsRow } from '../helpers/stats-result'
import type { StatsRowInput } from '../helpers/stats-result'
import {
  batchMessages,
  Code,
  compileErrorMessage,
  ConnectError,
  metadataMessage,
  resetAfter,
  respondWithTable,
  startVizierDouble,
  statsMessage,
} from '../vizier-double'
import type { DoubleRow, TableSpec, VizierBehaviour, VizierDouble } from '../vizier-double'
import { echoedResult, echoedStatsColumns, echoFor, METRICS, metricApp } from './helpers'
import type { MetricName } from './helpers'

const QUERIES: Record<MetricName, string> = {
  'error-rate': '/?namespace=shop&replicaset=web-6d8f9',
  latency: '/?namespace=shop&service=web&quantile=p90',
  throughput: '/throughput/shop/web-6d8f9-',
}

/** The well-formed stats table for a call, echo included, for a case to spoil. */
function tableFor(
  call: Parameters<VizierBehaviour>[0],
  input: StatsRowInput = {
    requests: 100,
    errors: 3,
    latencySumNs: 1e9,
    p50Ns: 1e6,
    p90Ns: 2e6,
    p99Ns: 5e6,
  }
): TableSpec {
  const func = call.request.execFuncs[0]!
  const args = Object.fromEntries(func.argValues.map((a) => [a.name, a.value]))
  const row: DoubleRow = { ...statsRow(input), ...echoFor(func.funcName, args) }
  return { name: HTTP_STATS_TABLE, columns: echoedStatsColumns(), rows: [row] }
}

/** A behaviour answering the call's table after `spoil` changed it. */
function spoiled(spoil: (table: TableSpec) => TableSpec): VizierBehaviour {
  return (call) => respondWithTable(spoil(tableFor(call)))(call)
}

const withRow = (patch: Record<string, DoubleRow[string]>) => (t: TableSpec) => ({
  ...t,
  rows: [{ ...t.rows[0]!, ...patch }],
})

interface Case {
  name: string
  behaviour: VizierBehaviour
  status: number
  code: string
}

const CASES: Case[] = [
  {
    name: 'a partial stream: the table never reaches eos, the stream ends OK',
    behaviour: async function* (call) {
      const table = tableFor(call)
      yield metadataMessage(table)
      yield* batchMessages(table, table.rows, { eos: false })
      yield statsMessage()
    },
    status: 502,
    code: 'pixie_protocol_error',
  },
  {
    name: 'a stream cut mid-way (RST_STREAM after the metadata)',
    behaviour: resetAfter(1, (call) => respondWithTable(tableFor(call))(call)),
    status: 502,
    code: 'pixie_transport_error',
  },
  {
    name: 'a stream that ends with an error status after the data',
    behaviour: async function* (call) {
      yield* respondWithTable(tableFor(call), { stats: false })(call)
      throw new ConnectError('query broker lost the agent', Code.Internal)
    },
    status: 502,
    code: 'pixie_transport_error',
  },
  {
    name: 'a compile error',
    behaviour: () => [
      compileErrorMessage([{ line: 3, column: 5, message: "Table 'http_events' not found" }]),
    ],
    status: 502,
    code: 'pixie_script_error',
  },
  {
    name: 'a missing table',
    behaviour: spoiled((t) => ({ ...t, name: 'output' })),
    status: 502,
    code: 'result_missing_table',
  },
  {
    name: 'a missing column',
    behaviour: spoiled((t) => ({
      ...t,
      columns: t.columns.filter((c) => c.name !== 'errors'),
    })),
    status: 502,
    code: 'result_missing_column',
  },
  {
    name: 'a mistyped column (requests as FLOAT64)',
    behaviour: spoiled((t) => ({
      ...t,
      columns: t.columns.map((c) =>
        c.name === 'requests' ? { ...c, type: 'FLOAT64' as const } : c
      ),
      rows: [{ ...t.rows[0]!, requests: 100.5 }],
    })),
    status: 502,
    code: 'result_bad_type',
  },
  {
    name: 'a NaN quantile',
    behaviour: spoiled(withRow({ latency_p99_ns: Number.NaN, latency_p90_ns: Number.NaN })),
    status: 502,
    code: 'result_invalid_value',
  },
  {
    name: 'an infinite quantile',
    behaviour: spoiled(withRow({ latency_p50_ns: Number.POSITIVE_INFINITY })),
    status: 502,
    code: 'result_invalid_value',
  },
  {
    name: 'a negative request count',
    behaviour: spoiled(withRow({ requests: -5n })),
    status: 502,
    code: 'result_invalid_value',
  },
  {
    name: 'a negative error count',
    behaviour: spoiled(withRow({ errors: -1n })),
    status: 502,
    code: 'result_invalid_value',
  },
  {
    name: 'more errors than requests',
    behaviour: spoiled(withRow({ errors: 101n })),
    status: 502,
    code: 'result_invalid_value',
  },
  {
    name: 'quantiles missing from the quantiles JSON (pluck answered 0.0)',
    behaviour: spoiled(
      withRow({ latency_quantiles: '{}', latency_p50_ns: 0, latency_p90_ns: 0, latency_p99_ns: 0 })
    ),
    status: 502,
    code: 'result_invalid_value',
  },
  {
    name: 'more than one row',
    behaviour: spoiled((t) => ({ ...t, rows: [t.rows[0]!, t.rows[0]!] })),
    status: 502,
    code: 'result_unexpected_rows',
  },
  {
    name: 'a row for another selector value',
    behaviour: spoiled(withRow({ selector_value: 'shop/web-55c7f' })),
    status: 502,
    code: 'result_selector_mismatch',
  },
  {
    name: 'a row for another selector kind',
    behaviour: spoiled(withRow({ selector_kind: 'namespace' })),
    status: 502,
    code: 'result_selector_mismatch',
  },
  {
    name: 'a row for another selector, reporting no traffic',
    behaviour: spoiled(
      withRow({ ...statsRow({ requests: 0 }), selector_value: 'other/web-6d8f9' })
    ),
    status: 502,
    code: 'result_selector_mismatch',
  },
  {
    name: 'half an echo (selector_value missing)',
    behaviour: spoiled((t) => ({
      ...t,
      columns: t.columns.filter((c) => c.name !== 'selector_value'),
    })),
    status: 502,
    code: 'result_missing_column',
  },
]

describe('fail closed, from the gRPC stream to the HTTP answer', () => {
  let double: VizierDouble
  let client: VizierClient

  beforeAll(async () => {
    double = await startVizierDouble((call) => respondWithTable(tableFor(call))(call))
    client = createVizierClient({ mode: 'direct', address: double.address })
  })

  afterAll(async () => {
    await client?.close()
    await double?.close()
  })

  it('should answer the figure for a well-formed, echoed row (the cases below spoil it)', async () => {
    double.setBehaviour((call) => respondWithTable(tableFor(call))(call))
    for (const metric of Object.keys(METRICS) as MetricName[]) {
      const app = metricApp(metric, { client, requestTimeoutMs: 5000 })
      const res = await app.request(QUERIES[metric])
      const body = (await res.json()) as Record<string, unknown>
      expect(res.status, `${metric} ${JSON.stringify(body)}`).toBe(200)
      expect(typeof body.value).toBe('number')
      expect(body.requests).toBe(100)
    }
  })

  for (const c of CASES) {
    it(`should answer ${c.status} ${c.code} for ${c.name}`, async () => {
      double.setBehaviour(c.behaviour)
      for (const metric of Object.keys(METRICS) as MetricName[]) {
        const app = metricApp(metric, { client, requestTimeoutMs: 5000 })
        const res = await app.request(QUERIES[metric])
        expect(res.headers.get('content-type')).toMatch(/^application\/json/)
        const body = (await res.json()) as Record<string, any>
        expect(res.status, `${metric}: ${JSON.stringify(body)}`).toBe(c.status)
        expect(body.error.code, metric).toBe(c.code)
        expect(body.error.message.length).toBeGreaterThan(0)
        expect(Object.keys(body)).toEqual(['error'])
      }
    })
  }

  it('should answer value null, never 0, when Pixie reports no traffic', async () => {
    double.setBehaviour((call) => respondWithTable(tableFor(call, { requests: 0 }))(call))
    for (const metric of Object.keys(METRICS) as MetricName[]) {
      const app = metricApp(metric, { client, requestTimeoutMs: 5000 })
      const res = await app.request(QUERIES[metric])
      const body = (await res.json()) as Record<string, any>
      expect(res.status).toBe(200)
      expect(body.value, metric).toBeNull()
      expect(body.requests).toBe(0)
    }
  })
})

describe('fail closed with the fake client', () => {
  it('should refuse a result whose echo is for another request, whatever the metric', async () => {
    for (const metric of Object.keys(METRICS) as MetricName[]) {
      // The client answers every call with the row of a different pod prefix.
      const client = createFakeVizierClient((options) => {
        const func = options.execFuncs![0]!
        return echoedResult(
          {
            execFuncs: [
              {
                ...func,
                args: {
                  ...func.args,
                  pod_prefix: 'shop/web-',
                  replicaset: 'shop/web-55c7f',
                  service: 'shop/api',
                },
              },
            ],
          },
          { requests: 10, errors: 0, p50Ns: 1, p90Ns: 1, p99Ns: 1, latencySumNs: 10 }
        )
      })
      const app = metricApp(metric, { client })
      const res = await app.request(QUERIES[metric])
      expect(res.status, metric).toBe(502)
      expect(((await res.json()) as any).error.code).toBe('result_selector_mismatch')
    }
  })

  it('should answer the figure when the echo matches', async () => {
    const client = createFakeVizierClient((options) =>
      echoedResult(options, {
        requests: 40,
        errors: 2,
        p50Ns: 1,
        p90Ns: 1,
        p99Ns: 1,
        latencySumNs: 40,
      })
    )
    const res = await metricApp('error-rate', { client }).request(QUERIES['error-rate'])
    expect(res.status).toBe(200)
    expect(((await res.json()) as any).error_rate).toBe(0.05)
  })
})
