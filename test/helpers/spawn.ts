/**
 * The one way tests, the soak run and the benchmark start child processes: every child goes
 * through `spawnTracked`, so a failed test or an interrupted bench never leaves one running, and
 * every wait is bounded (SIGTERM, a grace period, then SIGKILL).
 *
 * Bundled functions (dist/<name>.mjs, built by the vitest global setup) run as Knative runs them:
 * `node dist/<name>.mjs` with only the environment given (plus PATH and PORT=0); the ephemeral
 * port is read back from the function's JSON 'listening' log line.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

// ---------------------------------------------------------------- any child process

const live = new Set<ChildProcess>()
let stopping = false

/**
 * Spawns a child and registers it for cleanup; it is unregistered once it exits. Throws once the
 * process is stopping on a signal (installExitCleanup), so no new work starts while children stop.
 */
export function spawnTracked(
  command: string,
  args: string[],
  options: SpawnOptions = {}
): ChildProcess {
  if (stopping) throw new Error('stopping: no new child processes')
  const child = spawn(command, args, options)
  live.add(child)
  child.once('exit', () => live.delete(child))
  child.once('error', () => live.delete(child))
  return child
}

/** True while the child has neither exited nor been killed by a signal. */
export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null
}

/** Resolves true when the child exits within `ms`, false otherwise. */
export function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (!isRunning(child)) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit)
      resolve(false)
    }, ms)
    const onExit = (): void => {
      clearTimeout(timer)
      resolve(true)
    }
    child.once('exit', onExit)
  })
}

/**
 * Stops a child: `signal` (default SIGTERM), up to `graceMs` for it to exit, then SIGKILL and up
 * to `graceMs` again. Resolves once the child is gone (or after the second bounded wait).
 */
export async function stopProcess(
  child: ChildProcess,
  graceMs = 1000,
  signal: NodeJS.Signals = 'SIGTERM'
): Promise<void> {
  if (!isRunning(child)) return
  child.kill(signal)
  if (await waitForExit(child, graceMs)) return
  child.kill('SIGKILL')
  await waitForExit(child, graceMs)
}

/** Stops every tracked child still running (in parallel, each bounded). */
export async function stopAll(graceMs = 1000): Promise<void> {
  await Promise.all([...live].map((c) => stopProcess(c, graceMs)))
}

/** How many tracked children are still running. */
export function liveCount(): number {
  return [...live].filter(isRunning).length
}

let cleanupInstalled = false

/**
 * Makes sure no child outlives this process: SIGKILL on exit (synchronous, the only thing allowed
 * there), and an orderly stop on SIGINT/SIGTERM before exiting with 130/143.
 */
export function installExitCleanup(): void {
  if (cleanupInstalled) return
  cleanupInstalled = true
  process.on('exit', () => {
    for (const c of live) if (isRunning(c)) c.kill('SIGKILL')
  })
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      stopping = true
      process.stderr.write(`\n${signal}: stopping children\n`)
      void stopAll(500).finally(() => process.exit(code))
    })
  }
}

/**
 * Resident set size of a process in bytes, from VmRSS in /proc/<pid>/status (Linux only). Returns
 * undefined when /proc is unavailable or the process is gone, never a made-up 0.
 */
export function readRssBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)
    return match ? Number(match[1]) * 1024 : undefined
  } catch {
    return undefined
  }
}

let clockTicks: number | undefined

/**
 * CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat (Linux only;
 * resolution one clock tick, usually 10 ms). Undefined when it cannot be read.
 */
export function readCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after "(comm)": state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[11]) + Number(fields[12])
    clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100
    return Number.isFinite(ticks) ? (ticks * 1000) / clockTicks : undefined
  } catch {
    return undefined
  }
}

/**
 * A free TCP port on 127.0.0.1, found by binding port 0 and closing. A process spawned right after
 * gets it in practice; a lost race shows up as a child that never answers (bounded by the
 * caller's deadline), not as a wrong result. Prefer PORT=0 and the 'listening' line where possible.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))))
    })
  })
}

// ---------------------------------------------------------------- bundled functions

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface RunningBundle {
  name: string
  pid: number
  port: number
  /** http://127.0.0.1:<port> */
  url: string
  /** Every stdout line parsed as JSON so far (non-JSON lines as { raw }). */
  lines(): Record<string, unknown>[]
  /** Everything written to stdout so far. */
  stdout(): string
  /** Everything written to stderr so far. */
  stderr(): string
  /** Resolves when the process has exited. */
  exited: Promise<Exit>
  /** How it exited, once it has. */
  readonly exit: Exit | undefined
  /** Sends the signal (default SIGTERM) and waits for exit; SIGKILL after timeoutMs. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit>
}

/** Path of a function's bundle; throws a clear error when it was not built. */
export function bundlePath(name: string): string {
  const path = join(ROOT, 'dist', `${name}.mjs`)
  if (!existsSync(path))
    throw new Error(
      `${path} is missing: run npm run build (or vitest without PX_CANARY_SKIP_BUNDLES)`
    )
  return path
}

function launch(name: string, env: Record<string, string>) {
  // Only the variables given: nothing from the test runner's environment (no stray PX_* values).
  const child = spawnTracked(process.execPath, [bundlePath(name)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: Record<string, unknown>[] = []
  let stdout = ''
  let stderr = ''
  let partial = ''
  let exit: Exit | undefined
  const listeners = new Set<() => void>()
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
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
      exit = { code, signal }
      for (const listener of listeners) listener()
      resolve(exit)
    })
  )
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<Exit> => {
    await stopProcess(child, timeoutMs, signal)
    return exited
  }
  return {
    child,
    lines,
    exited,
    listeners,
    stop,
    exit: () => exit,
    stdout: () => stdout,
    stderr: () => stderr,
  }
}

/** Resolves with the first value `probe` finds, re-checked on every output line; bounded. */
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

/** Starts a bundle and resolves once it logged 'listening' (or rejects: exited, timed out). */
export async function startBundle(
  name: string,
  env: Record<string, string>,
  readyTimeoutMs = 20_000
): Promise<RunningBundle> {
  const run = launch(name, { PORT: '0', ...env })
  let port: number
  try {
    port = await waitFor(
      run.listeners,
      () => {
        const line = run.lines.find((l) => l.msg === 'listening')
        if (line !== undefined) return Number(line.port)
        if (run.exit() !== undefined)
          throw new Error(`${name} exited: ${run.stdout()} ${run.stderr()}`)
        return undefined
      },
      readyTimeoutMs,
      () => `${name} to listen; stdout ${run.stdout()} stderr ${run.stderr()}`
    )
  } catch (err) {
    await run.stop('SIGKILL')
    throw err
  }
  return {
    name,
    pid: run.child.pid!,
    port,
    url: `http://127.0.0.1:${port}`,
    lines: () => [...run.lines],
    stdout: run.stdout,
    stderr: run.stderr,
    exited: run.exited,
    get exit() {
      return run.exit()
    },
    stop: run.stop,
  }
}

/** Runs a bundle expected to exit on its own (e.g. bad configuration); kills it after timeoutMs. */
export async function runBundleToExit(
  name: string,
  env: Record<string, string>,
  timeoutMs = 15_000
): Promise<Exit & { lines: Record<string, unknown>[]; stdout: string; stderr: string }> {
  const run = launch(name, env)
  const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs)
  const exit = await run.exited
  clearTimeout(timer)
  return { ...exit, lines: run.lines, stdout: run.stdout(), stderr: run.stderr() }
}
