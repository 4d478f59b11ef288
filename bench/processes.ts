/**
 * Child-process bookkeeping for the benchmark. Every process the bench starts goes through
 * `spawnTracked`, so that whatever happens (a failed phase, Ctrl-C, an uncaught error) the bench
 * never leaves a function, simulator or load generator running: `stopProcess` sends SIGTERM, waits
 * a bounded time, then SIGKILL; `installExitCleanup` SIGKILLs whatever is left when the bench exits.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'

const live = new Set<ChildProcess>()
let stopping = false

/**
 * Spawns a child and registers it for cleanup; it is unregistered once it exits. Throws once the
 * bench is stopping on a signal, so no phase starts new work while children are being stopped.
 */
export function spawnTracked(
  command: string,
  args: string[],
  options: SpawnOptions = {}
): ChildProcess {
  if (stopping) throw new Error('the bench is stopping')
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
 * Stops a child: SIGTERM, up to `graceMs` for it to exit, then SIGKILL and up to `graceMs` again.
 * Resolves once the child is gone (or after the second bounded wait, whichever comes first).
 */
export async function stopProcess(child: ChildProcess, graceMs = 1000): Promise<void> {
  if (!isRunning(child)) return
  child.kill('SIGTERM')
  if (await waitForExit(child, graceMs)) return
  child.kill('SIGKILL')
  await waitForExit(child, graceMs)
}

/** Stops every tracked child still running (in parallel, each bounded). */
export async function stopAll(graceMs = 1000): Promise<void> {
  await Promise.all([...live].map((c) => stopProcess(c, graceMs)))
}

/** How many tracked children are still running (for tests and sanity checks). */
export function liveCount(): number {
  return [...live].filter(isRunning).length
}

let cleanupInstalled = false

/**
 * Makes sure no child outlives the bench: SIGKILL on process exit (synchronous, the only thing
 * allowed there), and an orderly stop on SIGINT/SIGTERM before exiting with 130/143.
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
      process.stderr.write(`\nbench: ${signal}, stopping children\n`)
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
 * gets it in practice; the tiny race is acceptable for a benchmark, and a lost race shows up as a
 * spawn that never answers (bounded by the caller's deadline), not as a wrong figure.
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
