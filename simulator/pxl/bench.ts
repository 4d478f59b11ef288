/**
 * Micro benchmark of the engine on the production stats script (shared/pxl/http-stats.ts) over synthetic http_events (not a test:
 * timings on shared machines are noisy). Run: `npx tsx simulator/pxl/bench.ts [rows]`.
 */
import type { CellValue } from '../../shared/pixie/types'
import { mulberry32 } from '../prng'
import { executePxl } from './execute'
import { DEFAULT_EXCLUDED_PATHS } from '../../shared/pxl/exclusion'
import { buildHttpStatsCall } from '../../shared/pxl/request'
import { HTTP_COLUMNS, makeSource, NOW_NS, upid, type MetadataTable } from './fixtures'
import type { EngineTable } from './types'

const PATHS = [
  '/api/orders',
  '/api/users',
  '/healthz',
  '/readyz',
  '/api/orders?id=1',
  '/static/app.js',
]

/** Synthetic traffic: 20 pods over 2 replicasets, 95% inbound, 2% errors, 90 s of history. */
export function syntheticHttpEvents(
  rows: number,
  seed = 1
): { table: EngineTable; metadata: MetadataTable } {
  const rand = mulberry32(seed)
  const metadata: MetadataTable = {}
  const upids: string[] = []
  for (let p = 0; p < 20; p++) {
    const id = upid(p)
    upids.push(id)
    const rs = p < 2 ? 'canary-demo-7d9f' : 'canary-demo-55aa'
    metadata[id] = {
      namespace: 'default',
      replicaset: `default/${rs}`,
      pod: `default/${rs}-pod${p}`,
      service: '["default/canary-demo","default/canary-demo-preview"]',
    }
  }
  const data: CellValue[][] = HTTP_COLUMNS.map(() => new Array<CellValue>(rows))
  const [time, up, role, path, method, status, latency] = data as [
    CellValue[],
    CellValue[],
    CellValue[],
    CellValue[],
    CellValue[],
    CellValue[],
    CellValue[],
  ]
  for (let i = 0; i < rows; i++) {
    time[i] = NOW_NS - BigInt(Math.floor(rand() * 90e9))
    up[i] = upids[Math.floor(rand() * upids.length)] as string
    role[i] = rand() < 0.95 ? 2n : 1n
    path[i] = PATHS[Math.floor(rand() * PATHS.length)] as string
    method[i] = 'GET'
    status[i] = rand() < 0.02 ? 503n : 200n
    latency[i] = BigInt(Math.floor(1e6 + rand() * 5e7))
  }
  return { table: { name: 'http_events', columns: HTTP_COLUMNS, data }, metadata }
}

/** Milliseconds the stats script's stats_by_replicaset takes over `rows` synthetic rows. */
export function benchmarkStatsScript(rows: number): {
  rows: number
  ms: number
  requests: CellValue
} {
  const { table, metadata } = syntheticHttpEvents(rows)
  const source = makeSource([table], metadata)
  const call = buildHttpStatsCall(
    {
      selector: { kind: 'replicaset', namespace: 'default', replicaset: 'canary-demo-55aa' },
      windowSeconds: 60,
      excludedPaths: DEFAULT_EXCLUDED_PATHS,
      errorMinStatus: 400,
    },
    'bench'
  )
  const started = performance.now()
  const [out] = executePxl(call.options.script, {
    source,
    nowNs: NOW_NS,
    execFuncs: call.options.execFuncs ?? [],
  })
  const ms = performance.now() - started
  return { rows, ms, requests: out?.data[0]?.[0] ?? 'none' }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = Number(process.argv[2] ?? 2_000_000)
  const result = benchmarkStatsScript(rows)
  console.log(
    `${result.rows} rows: ${result.ms.toFixed(0)} ms (requests counted: ${String(result.requests)})`
  )
}
