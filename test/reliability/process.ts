/**
 * Spawns a bundled function (dist/<name>.mjs) as Knative runs it, keeping everything it writes
 * (stdout and stderr, raw) and its pid, for tests that read its whole output (secrets) or its
 * memory (soak). Every wait is bounded; stop() always ends the process.
 */
import { spawn } from 'node:child_process'
import { bundlePath } from '../../shared/testing/spawn-bundle'
import type { Exit } from '../../shared/testing/spawn-bundle'

export interface SpawnedFunction {
  name: string
  pid: number
  /** http://127.0.0.1:<port> */
  url: string
  /** Everything written to stdout so far. */
  stdout(): string
  /** Everything written to stderr so far. */
  stderr(): string
  /** stdout's JSON lines, parsed (others as { raw }). */
  lines(): Record<string, unknown>[]
  exited: Promise<Exit>
  readonly exit: Exit | undefined
  /** Sends the signal (default SIGTERM), waits for exit; SIGKILL after timeoutMs. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit>
}

/** Starts dist/<name>.mjs with exactly this environment (plus PATH and PORT=0). */
export async function spawnFunction(
  name: string,
  env: Record<string, string>,
  readyTimeoutMs = 20_000
): Promise<SpawnedFunction> {
  const child = spawn(process.execPath, [bundlePath(name)], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  let exit: Exit | undefined
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = { code, signal }
      resolve(exit)
    })
  )
  const lines = (): Record<string, unknown>[] =>
    stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>
        } catch {
          return { raw: l }
        }
      })
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<Exit> => {
    if (exit !== undefined) return exit
    child.kill(signal)
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    try {
      return await exited
    } finally {
      clearTimeout(timer)
    }
  }
  const until = Date.now() + readyTimeoutMs
  let port: number | undefined
  while (port === undefined) {
    const listening = lines().find((l) => l.msg === 'listening')
    if (listening !== undefined) port = Number(listening.port)
    else if (exit !== undefined || Date.now() > until) {
      await stop('SIGKILL')
      throw new Error(`${name} did not start: ${stdout} ${stderr}`)
    } else await new Promise((r) => setTimeout(r, 20))
  }
  return {
    name,
    pid: child.pid!,
    url: `http://127.0.0.1:${port}`,
    stdout: () => stdout,
    stderr: () => stderr,
    lines,
    exited,
    get exit() {
      return exit
    },
    stop,
  }
}
