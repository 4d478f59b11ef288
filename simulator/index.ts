/**
 * The local Vizier simulator: a px.api.vizierpb.VizierService gRPC server that executes PxL (via
 * ./pxl) on seeded synthetic traffic. Development and test tooling only: nothing under functions/
 * or shared/ may import it. See README.md.
 */
export {
  DEFAULT_HOST,
  DEFAULT_PORT,
  startSimulator,
  type RecordedRequest,
  type Simulator,
  type SimulatorOptions,
  type SimulatorStats,
} from './server'
export { startAdminServer, type AdminServer } from './admin'
export {
  parseFaults,
  UNAUTHENTICATED_MESSAGE,
  UNAVAILABLE_MESSAGE,
  type FaultError,
  type Faults,
} from './faults'
export {
  loadScenario,
  parseDurationNs,
  parseScenario,
  ScenarioSchema,
  type Scenario,
  type ScenarioInput,
} from './scenario'
export {
  buildWorld,
  serviceValue,
  uint128ToUuid,
  uuidToUint128,
  type SimPod,
  type Traffic,
  type World,
} from './topology'
export {
  expectedRowsPerSecond,
  generateHttpEvents,
  secondChunk,
  type GenerateOptions,
} from './traffic'
export { TrafficStore, type QuerySnapshot, type TrafficStoreOptions } from './datasource'
export { COL, HTTP_EVENTS_COLUMNS, TRACE_ROLE_CLIENT, TRACE_ROLE_SERVER } from './http-events'
