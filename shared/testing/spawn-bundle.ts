/**
 * Test helper: runs a bundled function (dist/<name>.mjs, built by the vitest global setup) as a
 * child process, the way Knative runs it, and waits for its 'listening' log line to learn the port.
 * Every wait is bounded; stop() always ends the process.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface RunningBundle {
  /** http://127.0.0.1:<port> */
  url: string
  /** Every stdout line parsed as JSON so far (non-JSON lines as { raw }). */
  lines(): Record<string, unknown>[]
  /** Resolves when the process has exited. */
  exited: Promise<Exit>
  /** Sends the signal (default SIGTERM) and waits for exit; SIGKILL after timeoutMs. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit>
}

/** Path of a function's bundle; throws a clear error when it was not built. */
export function bundlePath(name: string): string {
  const path = join(root, 'dist', `${name}.mjs`)
  if (!existsSync(path))
    throw new Error(
      `${path} is missing: run npm run build (or vitest without PX_CANARY_SKIP_BUNDLES)`
    )
  return path
}

function launch(name: string, env: Record<string, string>) {
  // Only the variables given: nothing from the test runner's environment (no stray PX_* values).
  const child = spawn(process.execPath, [bundlePath(name)], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: Record<string, unknown>[] = []
  let stderr = ''
  let partial = ''
  const listeners = new Set<() => void>()
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    partial += chunk
    const parts = partial.split('\n')
    partial = parts.pop() ?? ''
    for (const part of parts) {
      if (part.trim() === '') continue
      try {
        lines.push(JSON.parse(part) as Record<string, unknown>)
      } catch {
        lines.push({ raw: part })
      }
    }
    for (const listener of listeners) listener()
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      for (const listener of listeners) listener()
      resolve({ code, signal })
    })
  )
  return { child, lines, exited, listeners, stderr: () => stderr }
}

function waitFor<T>(
  listeners: Set<() => void>,
  probe: () => T | undefined,
  timeoutMs: number,
  what: () => string
): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      let value: T | undefined
      try {
        value = probe()
      } catch (err) {
        done()
        reject(err instanceof Error ? err : new Error(String(err)))
        return
      }
      if (value === undefined) return
      done()
      resolve(value)
    }
    const timer = setTimeout(() => {
      done()
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`))
    }, timeoutMs)
    const done = (): void => {
      clearTimeout(timer)
      listeners.delete(check)
    }
    listeners.add(check)
    check()
  })
}

async function stopChild(
  child: ChildProcess,
  exited: Promise<Exit>,
  signal: NodeJS.Signals,
  timeoutMs: number
): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null) return exited
  child.kill(signal)
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  try {
    return await exited
  } finally {
    clearTimeout(timer)
  }
}

/** Starts a bundle and resolves once it logged 'listening' (or rejects: exited, timed out). */
export async function startBundle(
  name: string,
  env: Record<string, string>,
  readyTimeoutMs = 15_000
): Promise<RunningBundle> {
  const run = launch(name, { PORT: '0', ...env })
  const stop = (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000) =>
    stopChild(run.child, run.exited, signal, timeoutMs)
  let port: number
  try {
    port = await waitFor(
      run.listeners,
      () => {
        const line = run.lines.find((l) => l.msg === 'listening')
        if (line !== undefined) return Number(line.port)
        if (run.child.exitCode !== null)
          throw new Error(`${name} exited: ${JSON.stringify(run.lines)} ${run.stderr()}`)
        return undefined
      },
      readyTimeoutMs,
      () => `${name} to listen; stdout ${JSON.stringify(run.lines)} stderr ${run.stderr()}`
    )
  } catch (err) {
    await stop('SIGKILL')
    throw err
  }
  return { url: `http://127.0.0.1:${port}`, lines: () => [...run.lines], exited: run.exited, stop }
}

/** Runs a bundle expected to exit on its own (e.g. bad configuration); kills it after timeoutMs. */
export async function runBundleToExit(
  name: string,
  env: Record<string, string>,
  timeoutMs = 15_000
): Promise<Exit & { lines: Record<string, unknown>[] }> {
  const run = launch(name, env)
  const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs)
  const exit = await run.exited
  clearTimeout(timer)
  return { ...exit, lines: run.lines }
}
