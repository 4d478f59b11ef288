/**
 * The few px.api.vizierpb messages the client uses (proto/vizierapi.proto), as plain types with
 * static encoders and decoders written against @bufbuild/protobuf/wire's BinaryReader and
 * BinaryWriter. The types keep protobuf-es's shapes (field names, `{ case, value }` oneofs,
 * bigint for 64-bit integers), so messages built with protobuf-es (gen/vizierapi_pb.ts, used by the
 * simulator and the test doubles) are accepted as they are.
 *
 * Why not protobuf-es reflection in the bundle: its descriptor set-up (parsing the embedded file
 * descriptor, building the registry) runs at module load and was the largest single start-up cost
 * of a function; these functions do no work until a call. Decoding follows protobuf-es's
 * fromBinary: strict UTF-8 for strings, packed or unpacked repeated scalars, a repeated singular
 * message merges into the earlier one, the last member of a oneof wins, unknown fields are skipped.
 * vizierapi.test.ts proves byte compatibility with protobuf-es for every message here.
 */
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire'

/** px.api.vizierpb.DataType. */
export const DataType = {
  DATA_TYPE_UNKNOWN: 0,
  BOOLEAN: 1,
  INT64: 2,
  UINT128: 3,
  FLOAT64: 4,
  STRING: 5,
  TIME64NS: 6,
} as const

export interface UInt128 {
  low: bigint
  high: bigint
}

interface DataOf<T> {
  data: T[]
}

export type ColData =
  | { case: 'booleanData'; value: DataOf<boolean> }
  | { case: 'int64Data'; value: DataOf<bigint> }
  | { case: 'uint128Data'; value: DataOf<UInt128> }
  | { case: 'time64nsData'; value: DataOf<bigint> }
  | { case: 'float64Data'; value: DataOf<number> }
  | { case: 'stringData'; value: DataOf<Uint8Array> }
  | { case: undefined; value?: undefined }

export interface Column {
  colData: ColData
}

export interface RowBatchData {
  tableId: string
  cols: Column[]
  numRows: bigint
  eow: boolean
  eos: boolean
}

export interface ColumnInfo {
  columnName: string
  columnType: number
  columnDesc: string
  columnSemanticType: number
}

export interface Relation {
  columns: ColumnInfo[]
}

export interface CompilerError {
  line: bigint
  column: bigint
  message: string
}

export interface ErrorDetails {
  error: { case: 'compilerError'; value: CompilerError } | { case: undefined; value?: undefined }
}

export interface Status {
  code: number
  message: string
  errorDetails: ErrorDetails[]
}

export interface QueryTimingInfo {
  executionTimeNs: bigint
  compilationTimeNs: bigint
}

export interface QueryExecutionStats {
  timing?: QueryTimingInfo | undefined
  bytesProcessed: bigint
  recordsProcessed: bigint
}

export interface QueryMetadata {
  relation?: Relation | undefined
  name: string
  id: string
}

export interface QueryData {
  batch?: RowBatchData | undefined
  encryptedBatch: Uint8Array
  executionStats?: QueryExecutionStats | undefined
}

export interface MutationState {
  id: string
  state: number
  name: string
}

export interface MutationInfo {
  status?: Status | undefined
  states: MutationState[]
}

export interface ExecuteScriptResponse {
  status?: Status | undefined
  queryId: string
  result:
    | { case: 'data'; value: QueryData }
    | { case: 'metaData'; value: QueryMetadata }
    | { case: undefined; value?: undefined }
  mutationInfo?: MutationInfo | undefined
}

export interface ArgValue {
  name: string
  value: string
}

export interface FuncToExecute {
  funcName: string
  argValues: ArgValue[]
  outputTablePrefix: string
}

export interface EncryptionOptions {
  jwkKey: string
  keyAlg: string
  contentAlg: string
  compressionAlg: string
}

/** The request fields px-canary sets; unset strings and lists are left off the wire (proto3). */
export interface ExecuteScriptRequest {
  queryStr: string
  clusterId?: string
  execFuncs?: FuncToExecute[]
  mutation?: boolean
  encryptionOptions?: EncryptionOptions | undefined
  queryId?: string
  queryName?: string
}

// -- encoding --------------------------------------------------------------------------------------

function putString(w: BinaryWriter, field: number, value: string | undefined): void {
  if (value) w.tag(field, WireType.LengthDelimited).string(value)
}

/**
 * The UTF-8 of the last script sent. A function sends the same PxL script (a few KB) with every
 * call and only the arguments change, so the script is encoded once, not once per request.
 */
let lastScript: { text: string; utf8: Uint8Array } | undefined

function scriptUtf8(text: string): Uint8Array {
  if (lastScript?.text !== text) lastScript = { text, utf8: new TextEncoder().encode(text) }
  return lastScript.utf8
}

/**
 * Encodes an ExecuteScriptRequest. Fields go out in the order of vizierapi.proto, as protobuf-es
 * writes them, so both encoders produce the same bytes.
 */
export function encodeExecuteScriptRequest(request: ExecuteScriptRequest): Uint8Array {
  const w = new BinaryWriter()
  if (request.queryStr) w.tag(1, WireType.LengthDelimited).bytes(scriptUtf8(request.queryStr))
  putString(w, 3, request.clusterId)
  for (const f of request.execFuncs ?? []) {
    w.tag(4, WireType.LengthDelimited).fork()
    putString(w, 1, f.funcName)
    for (const a of f.argValues) {
      w.tag(2, WireType.LengthDelimited).fork()
      putString(w, 1, a.name)
      putString(w, 2, a.value)
      w.join()
    }
    putString(w, 3, f.outputTablePrefix)
    w.join()
  }
  if (request.mutation) w.tag(5, WireType.Varint).bool(true)
  const e = request.encryptionOptions
  if (e) {
    w.tag(6, WireType.LengthDelimited).fork()
    putString(w, 1, e.jwkKey)
    putString(w, 2, e.keyAlg)
    putString(w, 3, e.contentAlg)
    putString(w, 4, e.compressionAlg)
    w.join()
  }
  putString(w, 7, request.queryId)
  putString(w, 10, request.queryName)
  return w.finish()
}

// -- decoding --------------------------------------------------------------------------------------

/** Protobuf-es's default nesting limit. */
const RECURSION_LIMIT = 100

/** Reads a length prefix; returns where the delimited bytes end. */
function lengthEnd(r: BinaryReader): number {
  const length = r.uint32()
  return r.pos + length
}

/** Reads one embedded message: `read` is called for each field until the message ends. */
function readMessage<T>(
  r: BinaryReader,
  target: T,
  read: (r: BinaryReader, target: T, field: number, wire: WireType) => boolean,
  end = lengthEnd(r)
): T {
  while (r.pos < end) {
    const [field, wire] = r.tag()
    if (!read(r, target, field, wire)) r.skip(wire, field, RECURSION_LIMIT)
  }
  if (r.pos > end) throw new Error('premature end of message')
  return target
}

const int64 = (r: BinaryReader): bigint => BigInt(r.int64())
const uint64 = (r: BinaryReader): bigint => BigInt(r.uint64())

function readUInt128(r: BinaryReader): UInt128 {
  return readMessage(r, { low: 0n, high: 0n }, (r, m, field) => {
    if (field === 1) m.low = uint64(r)
    else if (field === 2) m.high = uint64(r)
    else return false
    return true
  })
}

/** Column members (the col_data oneof) by field number. */
const COLUMN_MEMBERS: Record<number, NonNullable<ColData['case']>> = {
  1: 'booleanData',
  2: 'int64Data',
  3: 'uint128Data',
  4: 'time64nsData',
  5: 'float64Data',
  6: 'stringData',
}

/** One value of the column member with field number `member`. */
function readColumnValue(r: BinaryReader, member: number): unknown {
  switch (member) {
    case 1:
      return r.bool()
    case 2:
    case 4:
      return int64(r)
    case 3:
      return readUInt128(r)
    case 5:
      return r.double()
    default:
      return r.bytes()
  }
}

/**
 * Reads one member message (`repeated T data = 1`) into `data`. Strings and messages are never
 * packed; the other members may be. Written without a closure per column: a result holds a
 * dozen columns, and the per-column callbacks were the largest allocation of a request
 * (`npm run bench:alloc`).
 */
function readColumnData(r: BinaryReader, member: number, data: unknown[]): void {
  const end = lengthEnd(r)
  const packable = member !== 3 && member !== 6
  while (r.pos < end) {
    const [field, wire] = r.tag()
    if (field !== 1) r.skip(wire, field, RECURSION_LIMIT)
    else if (packable && wire === WireType.LengthDelimited) {
      const packedEnd = lengthEnd(r)
      while (r.pos < packedEnd) data.push(readColumnValue(r, member))
    } else data.push(readColumnValue(r, member))
  }
  if (r.pos > end) throw new Error('premature end of message')
}

function readColumn(r: BinaryReader): Column {
  const column = { colData: { case: undefined } } as Column
  const end = lengthEnd(r)
  while (r.pos < end) {
    const [field, wire] = r.tag()
    const name = COLUMN_MEMBERS[field]
    if (name === undefined) {
      r.skip(wire, field, RECURSION_LIMIT)
      continue
    }
    // A member repeated on the wire merges into the one before; another member replaces it.
    const value = (
      column.colData.case === name ? column.colData.value : { data: [] }
    ) as DataOf<unknown>
    readColumnData(r, field, value.data)
    column.colData = { case: name, value } as ColData
  }
  if (r.pos > end) throw new Error('premature end of message')
  return column
}

function rowBatchFields(r: BinaryReader, m: RowBatchData, field: number): boolean {
  switch (field) {
    case 1:
      m.cols.push(readColumn(r))
      break
    case 2:
      m.numRows = int64(r)
      break
    case 3:
      m.eow = r.bool()
      break
    case 4:
      m.eos = r.bool()
      break
    case 5:
      m.tableId = r.string(true)
      break
    default:
      return false
  }
  return true
}

const emptyRowBatch = (): RowBatchData => ({
  tableId: '',
  cols: [],
  numRows: 0n,
  eow: false,
  eos: false,
})

/** Decodes a whole RowBatchData (the plaintext of an encrypted batch). Throws on malformed bytes. */
export function decodeRowBatchData(bytes: Uint8Array): RowBatchData {
  const r = new BinaryReader(bytes)
  return readMessage(r, emptyRowBatch(), rowBatchFields, bytes.length)
}

function readStatus(r: BinaryReader, into?: Status): Status {
  return readMessage(r, into ?? { code: 0, message: '', errorDetails: [] }, (r, m, field) => {
    if (field === 1) m.code = r.int32()
    else if (field === 2) m.message = r.string(true)
    else if (field === 4) {
      m.errorDetails.push(
        readMessage(r, { error: { case: undefined } } as ErrorDetails, (r, d, f) => {
          if (f !== 1) return false
          const prior = d.error.case === 'compilerError' ? d.error.value : undefined
          const value = readMessage(
            r,
            prior ?? { line: 0n, column: 0n, message: '' },
            (r, c, f2) => {
              if (f2 === 1) c.line = uint64(r)
              else if (f2 === 2) c.column = uint64(r)
              else if (f2 === 3) c.message = r.string(true)
              else return false
              return true
            }
          )
          d.error = { case: 'compilerError', value }
          return true
        })
      )
    } else return false
    return true
  })
}

function readRelation(r: BinaryReader, into?: Relation): Relation {
  return readMessage(r, into ?? { columns: [] }, (r, m, field) => {
    if (field !== 1) return false
    m.columns.push(
      readMessage(
        r,
        { columnName: '', columnType: 0, columnDesc: '', columnSemanticType: 0 },
        (r, c, f) => {
          if (f === 1) c.columnName = r.string(true)
          else if (f === 2) c.columnType = r.int32()
          else if (f === 3) c.columnDesc = r.string(true)
          else if (f === 4) c.columnSemanticType = r.int32()
          else return false
          return true
        }
      )
    )
    return true
  })
}

function readMetadata(r: BinaryReader, into?: QueryMetadata): QueryMetadata {
  return readMessage(r, into ?? { name: '', id: '' }, (r, m, field) => {
    if (field === 1) m.relation = readRelation(r, m.relation)
    else if (field === 2) m.name = r.string(true)
    else if (field === 3) m.id = r.string(true)
    else return false
    return true
  })
}

function readStats(r: BinaryReader, into?: QueryExecutionStats): QueryExecutionStats {
  const stats = into ?? { bytesProcessed: 0n, recordsProcessed: 0n }
  return readMessage(r, stats, (r, m, field) => {
    if (field === 1) {
      m.timing = readMessage(
        r,
        m.timing ?? { executionTimeNs: 0n, compilationTimeNs: 0n },
        (r, t, f) => {
          if (f === 1) t.executionTimeNs = int64(r)
          else if (f === 2) t.compilationTimeNs = int64(r)
          else return false
          return true
        }
      )
    } else if (field === 2) m.bytesProcessed = int64(r)
    else if (field === 3) m.recordsProcessed = int64(r)
    else return false
    return true
  })
}

function readQueryData(r: BinaryReader, into?: QueryData): QueryData {
  return readMessage(r, into ?? { encryptedBatch: new Uint8Array(0) }, (r, m, field) => {
    if (field === 1) {
      const batch = m.batch ?? emptyRowBatch()
      m.batch = readMessage(r, batch, rowBatchFields)
    } else if (field === 2) m.executionStats = readStats(r, m.executionStats)
    else if (field === 3) m.encryptedBatch = r.bytes()
    else return false
    return true
  })
}

function readMutationInfo(r: BinaryReader, into?: MutationInfo): MutationInfo {
  return readMessage(r, into ?? { states: [] }, (r, m, field) => {
    if (field === 1) m.status = readStatus(r, m.status)
    else if (field === 2) {
      m.states.push(
        readMessage(r, { id: '', state: 0, name: '' }, (r, s, f) => {
          if (f === 1) s.id = r.string(true)
          else if (f === 2) s.state = r.int32()
          else if (f === 3) s.name = r.string(true)
          else return false
          return true
        })
      )
    } else return false
    return true
  })
}

/** Decodes one ExecuteScriptResponse. Throws on malformed bytes (truncation, bad UTF-8, ...). */
export function decodeExecuteScriptResponse(bytes: Uint8Array): ExecuteScriptResponse {
  const r = new BinaryReader(bytes)
  const message: ExecuteScriptResponse = { queryId: '', result: { case: undefined } }
  return readMessage(
    r,
    message,
    (r, m, field) => {
      switch (field) {
        case 1:
          m.status = readStatus(r, m.status)
          break
        case 2:
          m.queryId = r.string(true)
          break
        case 3:
          m.result = {
            case: 'data',
            value: readQueryData(r, m.result.case === 'data' ? m.result.value : undefined),
          }
          break
        case 4:
          m.result = {
            case: 'metaData',
            value: readMetadata(r, m.result.case === 'metaData' ? m.result.value : undefined),
          }
          break
        case 5:
          m.mutationInfo = readMutationInfo(r, m.mutationInfo)
          break
        default:
          return false
      }
      return true
    },
    bytes.length
  )
}
