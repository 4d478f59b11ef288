/**
 * What one ExecuteScript call reads: the http_events table over the history before "now", plus
 * the scenario's metadata.
 */
import type { CellValue } from '../shared/pixie/types'
import type { DataSource, EngineTable, MetadataResolver } from './pxl/types'
import { COL, HTTP_EVENTS_COLUMNS } from './http-events'
import { generateMysqlEvents } from './mysql-events'
import { redactTable } from './redaction'
import { parseDurationNs } from './scenario'
import type { World } from './topology'
import { concatChunks, expectedRowsPerSecond, secondChunk, secondsOf, type Chunk } from './traffic'

const NS_PER_S = 1_000_000_000n
const NS_PER_MS = 1_000_000n

/** Bytes of a row's fixed-size columns: 8 per INT64/TIME64NS/FLOAT64, 16 per UINT128, 1 per BOOLEAN. */
const FIXED_ROW_BYTES = HTTP_EVENTS_COLUMNS.reduce(
  (sum, c) =>
    sum + (c.type === 'STRING' ? 0 : c.type === 'UINT128' ? 16 : c.type === 'BOOLEAN' ? 1 : 8),
  0
)
const STRING_COLUMNS = HTTP_EVENTS_COLUMNS.flatMap((c, i) => (c.type === 'STRING' ? [i] : []))

/**
 * A row's size as Pixie's table store counts it: fixed-size columns plus the bytes of every
 * string (pixie-io/pixie src/table_store/schema/row_batch.cc NumBytes, src/shared/types/
 * arrow_adapter.h GetArrowArrayBytes). Generated strings are ASCII, so length is bytes.
 */
export function rowBytes(columns: CellValue[][], r: number): number {
  let bytes = FIXED_ROW_BYTES
  for (const c of STRING_COLUMNS) bytes += ((columns[c] as CellValue[])[r] as string).length
  return bytes
}

/**
 * The last row time a query compiled at `nowNs` can see: its memory source opens exec_delay
 * after compilation and reads to the table's end, which holds the rows pushed up to the last push
 * tick (push ticks every push_period at push_phase). Rows after px.now() but before that tick are
 * in; rows after the tick are not (pixie-io/pixie src/stirling/stirling.cc push loop,
 * src/carnot/exec/memory_source_node.cc reading to the table end at open).
 */
export function visibleEndNs(world: World, nowNs: bigint): bigint {
  const { push_period_ms, exec_delay_ms } = world.scenario.pixie
  const periodNs = BigInt(push_period_ms) * NS_PER_MS
  const phaseNs = (BigInt(pushPhaseMs(world)) * NS_PER_MS) % periodNs
  const execNs = nowNs + BigInt(exec_delay_ms) * NS_PER_MS
  const since = (((execNs - phaseNs) % periodNs) + periodNs) % periodNs
  // Rows strictly before the tick were pushed by it.
  return execNs - since - 1n
}

/**
 * ctx metadata as the agents know it when a query executes at `execNs`: a pod started less than
 * metadata_delay before has no resolved pod metadata yet, so every pod-derived field reads ''
 * (its rows then drop out of any selector); the node is the agent's own and stays known.
 */
export function metadataAt(world: World, execNs: bigint): MetadataResolver {
  const delayNs = BigInt(world.scenario.pixie.metadata_delay_ms) * NS_PER_MS
  return {
    resolve(key, upid) {
      const started = world.byUpid.get(upid)?.startedNs
      if (key !== 'node' && started !== undefined && execNs - started < delayNs) return ''
      return world.metadata.resolve(key, upid)
    },
  }
}

/** The scenario's push phase, or one derived from its seed (PEMs start at arbitrary offsets). */
export function pushPhaseMs(world: World): number {
  const { push_phase_ms, push_period_ms } = world.scenario.pixie
  if (push_phase_ms !== undefined) return push_phase_ms % push_period_ms
  return (Math.imul(world.scenario.seed ^ 0x5bd1e995, 0x27d4eb2d) >>> 0) % push_period_ms
}
/** History never shrinks below this, whatever max_rows says: the functions query minutes. */
const MIN_HISTORY_NS = 120n * NS_PER_S
/** The buffer is trimmed back to the history once it holds this much more (in quarters). */
const TRIM_AT_QUARTERS = 5n

export interface TrafficStoreOptions {
  /** Traffic multiplier; default the scenario's. */
  multiplier?: number
  /** Row cap for the history table; default the scenario's max_rows. */
  maxRows?: number
}

/** A per-query view: the DataSource handed to the engine and how many rows it read. */
export interface QuerySnapshot {
  source: DataSource
  /** Rows of source tables the engine asked for (0 when it asked for none). */
  rowsScanned(): number
}

/**
 * The materialised http_events history, shared by all queries.
 *
 * Why a sliding buffer: rebuilding a 15-minute table per query costs tens of milliseconds, more
 * than the whole function overhead budget. Instead rows are appended as "now" advances (time only
 * moves forward on the wall clock) and old rows are dropped in batches once the table holds more
 * than 1.25 x the history, so the table always covers at least `history` before now and each query
 * only pays for the rows that are new since the previous one. A clock that goes backwards (a test
 * freezing time) or a multiplier change rebuilds the buffer.
 */
export class TrafficStore {
  readonly world: World
  #multiplier: number
  #mysql: { key: string; table: EngineTable } | undefined
  #maxRows: number
  #columns: CellValue[][] | undefined
  /** Every row with time_ <= #endNs (and inside the history) is in #columns. */
  #endNs = 0n
  /** The second containing #endNs, and how many of its rows are already appended. */
  #pending: { second: number; chunk: Chunk; next: number } | undefined
  /** Bytes of the buffered rows per node, to know when a node's retention bound bites. */
  #nodeBytes = new Map<string, number>()

  constructor(world: World, options: TrafficStoreOptions = {}) {
    this.world = world
    this.#multiplier = options.multiplier ?? world.scenario.multiplier
    this.#maxRows = options.maxRows ?? world.scenario.max_rows
  }

  get multiplier(): number {
    return this.#multiplier
  }

  /** Changes the traffic multiplier; the buffer is rebuilt because every rate changes. */
  set multiplier(value: number) {
    if (!(value > 0) || !Number.isFinite(value)) throw new Error(`invalid multiplier ${value}`)
    if (value === this.#multiplier) return
    this.#multiplier = value
    this.#columns = undefined
    this.#pending = undefined
  }

  /**
   * The history the table covers: the scenario's, trimmed so the expected row count (up to
   * 1.25 x history before a trim) stays under max_rows, since at x100 a 15-minute history would
   * not fit in memory; never under 2 minutes.
   */
  historyNs(): bigint {
    const wanted = parseDurationNs(this.world.scenario.history)
    const rate = expectedRowsPerSecond(this.world, this.#multiplier)
    if (rate <= 0) return wanted
    const fitting = BigInt(Math.floor(this.#maxRows / rate / 1.25)) * NS_PER_S
    const capped = fitting < wanted ? fitting : wanted
    return capped > MIN_HISTORY_NS ? capped : wanted < MIN_HISTORY_NS ? wanted : MIN_HISTORY_NS
  }

  #nodeOf(columns: CellValue[][], r: number): string {
    return this.world.byUpid.get((columns[COL.upid] as CellValue[])[r] as string)?.node ?? ''
  }

  #count(columns: CellValue[][], from: number, to: number, sign: 1 | -1): void {
    for (let r = from; r < to; r++) {
      const node = this.#nodeOf(columns, r)
      this.#nodeBytes.set(node, (this.#nodeBytes.get(node) ?? 0) + sign * rowBytes(columns, r))
    }
  }

  #chunk(second: number): Chunk {
    return this.#pending?.second === second
      ? this.#pending.chunk
      : secondChunk(this.world, second, this.#multiplier)
  }

  #rebuild(nowNs: bigint, historyNs: bigint): void {
    const startNs = nowNs - historyNs + 1n
    const [first, last] = secondsOf(startNs, nowNs)
    const chunks: Chunk[] = []
    for (let s = first; s <= last; s++) chunks.push(this.#chunk(s))
    this.#columns = concatChunks(chunks, startNs, nowNs)
    this.#nodeBytes = new Map()
    this.#count(this.#columns, 0, this.#columns[0]?.length ?? 0, 1)
    const lastChunk = chunks[chunks.length - 1] ?? []
    const times = (lastChunk[COL.time_] ?? []) as bigint[]
    let next = 0
    while (next < times.length && (times[next] as bigint) <= nowNs) next++
    this.#pending = { second: last, chunk: lastChunk, next }
    this.#endNs = nowNs
  }

  #append(nowNs: bigint): void {
    const columns = this.#columns as CellValue[][]
    const before = columns[0]?.length ?? 0
    const [first, last] = secondsOf(this.#endNs, nowNs)
    for (let s = first; s <= last; s++) {
      const chunk = this.#chunk(s)
      const times = (chunk[COL.time_] ?? []) as bigint[]
      let r = this.#pending?.second === s ? this.#pending.next : 0
      for (; r < times.length && (times[r] as bigint) <= nowNs; r++) {
        for (let c = 0; c < columns.length; c++) {
          ;(columns[c] as CellValue[]).push((chunk[c] as CellValue[])[r] as CellValue)
        }
      }
      this.#pending = { second: s, chunk, next: r }
    }
    this.#count(columns, before, columns[0]?.length ?? 0, 1)
    this.#endNs = nowNs
  }

  #trim(nowNs: bigint, historyNs: bigint): void {
    const columns = this.#columns as CellValue[][]
    const times = (columns[COL.time_] ?? []) as bigint[]
    const oldest = times[0]
    if (oldest === undefined || oldest > nowNs - (historyNs * TRIM_AT_QUARTERS) / 4n) return
    const startNs = nowNs - historyNs
    let from = 0
    while (from < times.length && (times[from] as bigint) <= startNs) from++
    this.#count(columns, 0, from, -1)
    // slice, not splice: queries still holding the old arrays keep a consistent table.
    this.#columns = columns.map((column) => column.slice(from))
  }

  /** The http_events table for at least the history before `nowNs`, and nothing after it. */
  table(nowNs: bigint): EngineTable {
    const historyNs = this.historyNs()
    // Rebuild on a backwards clock, and after a long idle gap (appending hours would not fit).
    if (this.#columns === undefined || nowNs < this.#endNs || nowNs - this.#endNs > historyNs) {
      this.#rebuild(nowNs, historyNs)
    } else if (nowNs > this.#endNs) this.#append(nowNs)
    this.#trim(nowNs, historyNs)
    return {
      name: 'http_events',
      columns: HTTP_EVENTS_COLUMNS.map((c) => ({ ...c })),
      data: this.#columns as CellValue[][],
    }
  }

  /**
   * The table as the PEMs retain it: each node keeps its newest rows up to http_events_bytes and
   * has expired the older ones (pixie-io/pixie src/table_store/table/table.cc expires the oldest
   * batches until a new one fits; the memory source then silently starts at the oldest row left).
   * The shared buffer is returned as is while no node holds more than its bound.
   */
  retainedTable(endNs: bigint): EngineTable {
    const table = this.table(endNs)
    const limit = this.world.scenario.pixie.http_events_bytes
    if (![...this.#nodeBytes.values()].some((b) => b > limit)) return table
    const columns = table.data
    const used = new Map<string, number>()
    /** Nodes whose bound is reached: every older row of theirs has expired. */
    const full = new Set<string>()
    const keep: number[] = []
    for (let r = (columns[0]?.length ?? 0) - 1; r >= 0; r--) {
      const node = this.#nodeOf(columns, r)
      if (full.has(node)) continue
      const total = (used.get(node) ?? 0) + rowBytes(columns, r)
      if (total > limit) {
        full.add(node)
        continue
      }
      used.set(node, total)
      keep.push(r)
    }
    keep.reverse()
    return { ...table, data: columns.map((column) => keep.map((r) => column[r] as CellValue)) }
  }

  /**
   * mysql_events over the history before `endNs`, generated per query (its rate is a small
   * fraction of http_events'); the last one is kept, so a frozen clock generates it once.
   */
  mysqlTable(endNs: bigint): EngineTable {
    const key = `${endNs}|${this.#multiplier}`
    if (this.#mysql?.key !== key) {
      const table = generateMysqlEvents(this.world, {
        startNs: endNs - this.historyNs(),
        endNs,
        multiplier: this.#multiplier,
      })
      this.#mysql = { key, table }
    }
    return this.#mysql.table
  }

  /**
   * True when `column` is one of the shared buffer arrays. The server copies such columns out of
   * an engine result before streaming it, because the buffer grows while a response is streamed.
   */
  isSharedColumn(column: unknown): boolean {
    return this.#columns?.includes(column as CellValue[]) ?? false
  }

  /**
   * A DataSource for one query compiled at `nowNs`: http_events as the PEMs hold it when the
   * query executes (visibleEndNs). Tables are built only if the script reads them.
   */
  snapshot(nowNs: bigint): QuerySnapshot {
    let scanned = 0
    const store = this
    const endNs = visibleEndNs(this.world, nowNs)
    const restricted = this.world.scenario.pixie.data_access === 'Restricted'
    return {
      source: {
        table(name: string) {
          let table: EngineTable
          if (name === 'http_events') table = store.retainedTable(endNs)
          else if (name === 'mysql_events') table = store.mysqlTable(endNs)
          else return undefined
          scanned += table.data[0]?.length ?? 0
          return restricted ? redactTable(table) : table
        },
        metadata: metadataAt(
          this.world,
          nowNs + BigInt(this.world.scenario.pixie.exec_delay_ms) * NS_PER_MS
        ),
      },
      rowsScanned: () => scanned,
    }
  }
}
