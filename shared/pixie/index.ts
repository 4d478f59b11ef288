/**
 * The Vizier client library. Functions import createVizierClient and the types; the gRPC
 * transport is exported for tests and tools, the client being its only user in a function.
 * Vizier's side of the wire (encoding and encrypting batches) is in simulator/vizier-wire/.
 */
export type {
  CellValue,
  ColumnInfo,
  ColumnType,
  ExecFunc,
  ExecuteScriptOptions,
  ExecutionStats,
  ResultTable,
  Row,
  ScriptResult,
  VizierClient,
} from './types'
export {
  createVizierClient,
  DEFAULT_CLOUD_ADDR,
  DEFAULT_TIMEOUT_MS,
  type CloudVizierClientOptions,
  type DirectVizierClientOptions,
  type VizierClientOptions,
} from './client'
export {
  DEFAULT_MAX_RESULT_BYTES,
  DEFAULT_MAX_ROWS_PER_TABLE,
  ResultAssembler,
  type AssemblyLimits,
} from './stream-assembly'
export {
  columnByteSize,
  columnTypeOf,
  dataTypeOf,
  decodeColumn,
  uint128ToUuid,
  uuidToUint128,
} from './values'
export { errorFromStatus, errorFromTransport } from './error-mapping'
export {
  createGrpcTransport,
  type GrpcCallOptions,
  type GrpcTransport,
  type GrpcTransportOptions,
} from './grpc-transport'
export {
  codeFromH2Error,
  codeFromHttpStatus,
  GrpcCode,
  grpcCodeName,
  GrpcError,
  type GrpcErrorSource,
} from './grpc-status'
export {
  decodeGrpcMessage,
  encodeGrpcMessage,
  GrpcMessageDecoder,
  grpcTimeoutHeader,
  readGrpcStatus,
  type GrpcStatus,
} from './grpc-framing'
export {
  decryptRowBatch,
  generateE2eKeyPair,
  E2E_COMPRESSION_ALG,
  E2E_CONTENT_ALG,
  E2E_KEY_ALG,
  type E2eKeyPair,
} from './encryption'
