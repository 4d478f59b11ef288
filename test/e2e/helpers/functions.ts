/**
 * Spawns the bundled functions (dist/<name>.mjs, built by the vitest global setup) as real child
 * processes, exactly as they run in a container: `node dist/<name>.mjs` with PORT and
 * PX_DIRECT_ADDR. The port is ephemeral (PORT=0) and read back from the function's JSON
 * "listening" log line.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

export type FunctionName = 'error-rate' | 'latency' | 'throughput'

export const ROOT = join(import.meta.dirname, '..', '..', '..')
const START_TIMEOUT_MS = 20_000
const STOP_TIMEOUT_MS = 10_000

export interface RunningFunction {
  name: FunctionName
  port: number
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string
  /** Everything the process printed so far. */
  output: string[]
  /** GET path (with query) on the function; returns status and parsed JSON body. */
  get(path: string): Promise<{ status: number; body: Record<string, unknown> }>
  close(): Promise<void>
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

/** Starts dist/<name>.mjs against a Vizier address; resolves once it listens. */
export async function startFunction(
  name: FunctionName,
  pixieAddress: string,
  extraEnv: Record<string, string> = {}
): Promise<RunningFunction> {
  const bundle = join(ROOT, 'dist', `${name}.mjs`)
  if (!existsSync(bundle)) {
    throw new Error(
      `${bundle} is missing: run the tests without PX_CANARY_SKIP_BUNDLES=1 or npm run build`
    )
  }
  const child = spawn(process.execPath, [bundle], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      PX_DIRECT_ADDR: pixieAddress,
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const output: string[] = []
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new Error(`${name} did not listen within ${START_TIMEOUT_MS} ms:\n${output.join('\n')}`)
      )
    }, START_TIMEOUT_MS)
    let buffered = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (text: string) => {
      buffered += text
      let nl: number
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl)
        buffered = buffered.slice(nl + 1)
        output.push(line)
        try {
          const record = JSON.parse(line) as { msg?: string; port?: number }
          if (record.msg === 'listening' && typeof record.port === 'number') {
            clearTimeout(timer)
            resolve(record.port)
          }
        } catch {
          // not a JSON line
        }
      }
    })
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (text: string) => output.push(text))
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${name} exited with ${code} before listening:\n${output.join('\n')}`))
    })
  }).catch(async (err: unknown) => {
    await stopChild(child)
    throw err
  })
  const url = `http://127.0.0.1:${port}`
  return {
    name,
    port,
    url,
    output,
    async get(path) {
      const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(25_000) })
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
    close: () => stopChild(child),
  }
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
