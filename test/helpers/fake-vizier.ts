/**
 * A fake VizierClient for unit tests: records every call's options and answers with whatever the
 * test's responder returns (or throws), its CALL_ECHO cells filled in with the selector echo of
 * the call's exec functions, as the real script answers (see stats-result.ts).
 */
import type { ExecuteScriptOptions, ScriptResult, VizierClient } from '../../shared/pixie/types'
import { withCallEcho } from './stats-result'

export type Responder = (options: ExecuteScriptOptions) => ScriptResult | Promise<ScriptResult>

export interface FakeVizierClient extends VizierClient {
  /** Every executeScript call's options, in call order. */
  readonly calls: ExecuteScriptOptions[]
  /** True once close() was called. */
  readonly closed: boolean
}

/** Creates a fake client; without a responder every call fails loudly. */
export function createFakeVizierClient(responder?: Responder): FakeVizierClient {
  const calls: ExecuteScriptOptions[] = []
  let closed = false
  return {
    calls,
    get closed() {
      return closed
    },
    async executeScript(options) {
      calls.push(options)
      if (responder === undefined) throw new Error('fake Vizier client: no responder set')
      return withCallEcho(await responder(options), options.execFuncs ?? [])
    },
    async close() {
      closed = true
    },
  }
}

/** A responder that never answers until the call's signal aborts (then rejects like a client). */
export function hangingResponder(): Responder {
  return (options) =>
    new Promise<ScriptResult>((_, reject) => {
      options.signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true })
    })
}
