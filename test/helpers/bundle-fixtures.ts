/**
 * Test helpers for spawn tests: the stats table as the Vizier test double streams it, and an HTTP
 * GET with a bounded wait.
 */
import type { TableSpec } from '../vizier-double'
import { HTTP_STATS_TABLE } from '../../shared/pxl/http-stats'
import { statsColumns, statsRow } from './stats-result'
import type { StatsRowInput } from './stats-result'

/**
 * The stats table for respondWithTable, with the given rows; they echo the request's selector
 * (respondWithTable fills in the CALL_ECHO cells from the call, as the real script answers).
 */
export function statsTableSpec(...rows: StatsRowInput[]): TableSpec {
  return { name: HTTP_STATS_TABLE, columns: statsColumns(), rows: rows.map((r) => statsRow(r)) }
}

/** GET url, answering status and parsed JSON body; gives up after timeoutMs. */
export async function getJson(
  url: string,
  options: { headers?: Record<string, string>; timeoutMs?: number } = {}
): Promise<{ status: number; contentType: string | null; body: Record<string, any> }> {
  const res = await fetch(url, {
    headers: options.headers ?? {},
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  })
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    body: (await res.json()) as Record<string, any>,
  }
}
