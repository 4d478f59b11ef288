// `npm start` (scripts/start.mjs) as a user runs it: simulator + three bundled functions, example
// calls printed, a fault switchable over the control port, and a clean stop on SIGTERM. Ports are
// moved to ephemeral ones (PX_SIM_PORT=0 etc.) so the test never collides with a running demo.
import type { ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { spawnTracked } from '../helpers/spawn'
import { ROOT } from './helpers/functions'

const READY_TIMEOUT_MS = 60_000

describe('e2e: npm start', () => {
  let child: ChildProcess | undefined
  let output = ''

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child!.once('exit', r))
      child.kill('SIGKILL')
      await exited
    }
  })

  it('should start the simulator and the functions, print example calls and stop cleanly', async () => {
    const { PX_API_KEY: _k, PX_CLUSTER_ID: _c, PX_DIRECT_ADDR: _d, ...env } = process.env
    child = spawnTracked(process.execPath, [join(ROOT, 'scripts', 'start.mjs')], {
      cwd: ROOT,
      env: { ...env, PX_SIM_PORT: '0', PX_SIM_ADMIN_PORT: '0', PX_START_PORTS: '0,0,0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout!.setEncoding('utf8')
    child.stderr!.setEncoding('utf8')
    child.stderr!.on('data', (t: string) => (output += t))
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`not ready in time:\n${output}`)),
        READY_TIMEOUT_MS
      )
      child!.stdout!.on('data', (t: string) => {
        output += t
        if (output.includes('[start] ready')) {
          clearTimeout(timer)
          resolve()
        }
      })
      child!.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`start.mjs exited ${code}:\n${output}`))
      })
    })

    const url = (name: string) =>
      new RegExp(`${name}\\s+(http://127\\.0\\.0\\.1:\\d+)`).exec(output)?.[1]
    const errorRate = url('error-rate')
    const throughput = url('throughput')
    expect(errorRate).toBeDefined()
    expect(output).toContain("curl -s '")
    expect(output).toContain('replicaset=canary-demo-6c8d4b9f7')

    // A printed example call answers with a measurement.
    const bad = await fetch(`${errorRate}/?namespace=default&replicaset=canary-demo-6c8d4b9f7`)
    const body = (await bad.json()) as { value: number; requests: number }
    expect(bad.status).toBe(200)
    expect(body.value).toBeGreaterThan(0.5)
    expect(body.requests).toBeGreaterThan(100)

    // The control port switches a fault on and off.
    const control = /PUT (http:\/\/127\.0\.0\.1:\d+)\/faults/.exec(output)?.[1]
    expect(control).toBeDefined()
    const put = await fetch(`${control}/faults`, { method: 'PUT', body: '{"error":"unavailable"}' })
    expect(put.status).toBe(200)
    const failing = await fetch(`${throughput}/?namespace=default&replicaset=canary-demo-7d9f8c6b5`)
    expect(failing.status).toBe(502)
    expect(((await failing.json()) as { error: { code: string } }).error.code).toBe(
      'pixie_unavailable'
    )
    expect((await fetch(`${control}/faults`, { method: 'DELETE' })).status).toBe(200)
    expect(
      (await fetch(`${throughput}/?namespace=default&replicaset=canary-demo-7d9f8c6b5`)).status
    ).toBe(200)

    const code = await new Promise<number | null>((resolve) => {
      child!.once('exit', (c) => resolve(c))
      child!.kill('SIGTERM')
    })
    expect(code).toBe(0)
    // Its children are gone too: the function no longer answers.
    await expect(
      fetch(`${errorRate}/health/liveness`, { signal: AbortSignal.timeout(2000) })
    ).rejects.toThrow()
  }, 90_000)
})
