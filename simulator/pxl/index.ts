/** The simulator's PxL engine. See README.md for the supported subset and semantics. */
export { executePxl } from './execute'
export { parse } from './parser'
export { tokenize, type Token, type TokenKind } from './tokenizer'
export { parseScriptFlags, DEFAULT_MAX_OUTPUT_ROWS_PER_TABLE, type ScriptFlags } from './pragmas'
export { parseDuration, parseAbsoluteTime } from './time'
export { translateRe2, fullMatch, Re2UnsupportedError, type Re2Translation } from './re2'
export { formatJsonDouble, quantilesJson, QUANTILES, TDigest } from './tdigest'
export {
  PxlCompileError,
  PxlRuntimeError,
  type DataSource,
  type EngineColumn,
  type EngineTable,
  type ExecuteOptions,
  type ExecutePxl,
  type MetadataResolver,
} from './types'
export type * as PxlAst from './ast'
