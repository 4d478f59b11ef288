/**
 * The engine's entry point (ExecutePxl in types.ts): read `#px:set` flags, parse, run the module,
 * then the exec_funcs, and return the output tables capped at max_output_rows_per_table.
 */
import { toEngineTable } from './dataframe'
import { runExecFunc } from './exec-funcs'
import { Interpreter } from './interpreter'
import { parse } from './parser'
import { parseScriptFlags } from './pragmas'
import { PxlCompileError, type EngineTable, type ExecuteOptions, type ExecutePxl } from './types'

/**
 * Executes a PxL script against `options.source`. Output order: px.display/px.debug tables in call
 * order, then each exec_func's tables. With exec_funcs present px.display is a no-op (Pixie's
 * NoopDisplayHandler, pixie-io/pixie src/carnot/planner/objects/pixie_module.cc); px.debug still writes ('_'-prefixed names).
 *
 * @throws PxlCompileError for what Pixie's compiler rejects (with 1-based line/column)
 * @throws PxlRuntimeError for failures while executing (e.g. integer modulo by zero)
 */
export const executePxl: ExecutePxl = (script: string, options: ExecuteOptions): EngineTable[] => {
  if (script.trim() === '') throw new PxlCompileError('Query should not be empty.', 1, 1)
  const flags = parseScriptFlags(script)
  const module = parse(script)
  const execFuncs = options.execFuncs ?? []
  const interp = new Interpreter({
    source: options.source,
    nowNs: options.nowNs,
    displayEnabled: execFuncs.length === 0,
  })
  interp.run(module)
  const funcOutputs = execFuncs.flatMap((ef) => runExecFunc(interp, ef))
  return [...interp.displayed, ...funcOutputs].map((o) =>
    toEngineTable(o.name, o.frame, flags.maxOutputRowsPerTable)
  )
}
