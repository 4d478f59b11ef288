/**
 * The three bundled functions started against one Vizier address (through test/helpers/spawn.ts),
 * each with a GET helper that answers status and parsed JSON body, for the end-to-end tests.
 */
import { startBundle } from '../../helpers/spawn'
import type { RunningBundle } from '../../helpers/spawn'

export { ROOT } from '../../helpers/spawn'

export type FunctionName = 'error-rate' | 'latency' | 'throughput'

export interface RunningFunction extends RunningBundle {
  name: FunctionName
  /** GET path (with query) on the function; returns status and parsed JSON body. */
  get(path: string): Promise<{ status: number; body: Record<string, unknown> }>
  close(): Promise<void>
}

/** Starts dist/<name>.mjs against a Vizier address; resolves once it listens. */
export async function startFunction(
  name: FunctionName,
  pixieAddress: string,
  extraEnv: Record<string, string> = {}
): Promise<RunningFunction> {
  const bundle = await startBundle(name, { PX_DIRECT_ADDR: pixieAddress, ...extraEnv })
  return Object.assign(bundle, {
    name,
    async get(path: string) {
      const res = await fetch(`${bundle.url}${path}`, { signal: AbortSignal.timeout(25_000) })
      const text = await res.text()
      let body: Record<string, unknown>
      try {
        body = JSON.parse(text) as Record<string, unknown>
      } catch {
        throw new Error(
          `${name} ${path} answered ${res.status} with non-JSON: ${text.slice(0, 200)}`
        )
      }
      return { status: res.status, body }
    },
    close: async () => {
      await bundle.stop('SIGTERM', 10_000)
    },
  })
}

/** Starts all three functions against one Vizier address. */
export async function startAllFunctions(
  pixieAddress: string
): Promise<Record<FunctionName, RunningFunction>> {
  const started = await Promise.allSettled(
    (['error-rate', 'latency', 'throughput'] as const).map((n) => startFunction(n, pixieAddress))
  )
  const ok = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
  const failed = started.find((s) => s.status === 'rejected')
  if (failed) {
    await Promise.all(ok.map((f) => f.close()))
    throw (failed as PromiseRejectedResult).reason
  }
  const [errorRate, latency, throughput] = ok as [RunningFunction, RunningFunction, RunningFunction]
  return { 'error-rate': errorRate, latency, throughput }
}
