/** The Vizier gRPC test double: see README.md. */
export {
  DoubleFault,
  startVizierDouble,
  type CallOutcome,
  type DoubleAction,
  type RecordedCall,
  type VizierBehaviour,
  type VizierCall,
  type VizierDouble,
  type VizierDoubleOptions,
} from './server'
export {
  batchMessage,
  batchMessages,
  compileErrorMessage,
  keepaliveMessage,
  metadataMessage,
  responseMessage,
  rowBatch,
  statsMessage,
  statusMessage,
  type BatchOptions,
  type ColumnSpec,
  type DoubleRow,
  type TableSpec,
} from './messages'
export {
  encryptForCall,
  answerInClear,
  floodMetadata,
  refuseAfterGoaway,
  failWith,
  hang,
  neverAnswer,
  resetAfter,
  resetStream,
  respondWith,
  respondWithTable,
  respondWithTables,
  thenFail,
  type RespondOptions,
} from './behaviours'
export { selfSignedCertificate, type TestCertificate } from './tls'
export { Code, ConnectError } from '@connectrpc/connect'
