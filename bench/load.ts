/**
 * Steady load from a second process: `runLoad` starts bench/load-worker.ts as a child, hands it a
 * LoadJob over IPC and waits (bounded) for its LoadResult. The worker is always stopped before
 * `runLoad` settles. The worker is bundled once per bench process with esbuild into a temp dir and
 * run with plain node: a tsx start costs a second or more on a busy 2-core machine, per job.
 */
import { build } from 'esbuild'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { LoadJob, LoadResult } from './load-protocol'
import { spawnTracked, stopProcess } from '../test/helpers/spawn'

export { SEQ_TOKEN } from './load-protocol'
export type { LoadJob, LoadResult, LoadTarget, ReplayCall } from './load-protocol'

const workerSource = fileURLToPath(new URL('./load-worker.ts', import.meta.url))
let workerBundle: Promise<string> | undefined
let workerDir: string | undefined

/**
 * Removes the bundled worker's temp directory (also done on process exit; test runners that end
 * their workers without an exit event call this in afterAll). The next runLoad bundles again.
 */
export function cleanupLoadWorker(): void {
  if (workerDir) rmSync(workerDir, { recursive: true, force: true })
  workerDir = undefined
  workerBundle = undefined
}

/** The worker bundled to a temp .mjs (built on first use, removed when the process exits). */
function workerEntry(): Promise<string> {
  workerBundle ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'px-canary-bench-worker-'))
    workerDir = dir
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
    const outfile = join(dir, 'load-worker.mjs')
    await build({
      entryPoints: [workerSource],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'silent',
    })
    return outfile
  })().catch((err: unknown) => {
    workerBundle = undefined
    throw err
  })
  return workerBundle
}

/** Runs `job` in a fresh worker process and returns its result. */
export async function runLoad(job: LoadJob): Promise<LoadResult> {
  const child = spawnTracked(process.execPath, [await workerEntry()], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const limitMs = job.warmupMs + job.durationMs + (job.minRequests ? 15_000 : 0) + 30_000
  try {
    return await new Promise<LoadResult>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`load worker gave no result within ${limitMs} ms`)),
        limitMs
      )
      child.once('message', (msg: { ok: boolean; result?: LoadResult; error?: string }) => {
        clearTimeout(timer)
        if (msg.ok && msg.result) resolve(msg.result)
        else reject(new Error(`load worker failed: ${msg.error ?? 'unknown error'}`))
      })
      child.once('exit', (code, signal) => {
        clearTimeout(timer)
        reject(new Error(`load worker exited (code ${code}, signal ${signal}) without a result`))
      })
      child.send(job)
    })
  } finally {
    await stopProcess(child, 2000)
  }
}

/** Successful answers per second over the measured phase (0 when nothing succeeded). */
export function throughputPerSecond(result: LoadResult): number {
  return result.elapsedMs > 0 ? (result.ok * 1000) / result.elapsedMs : 0
}
