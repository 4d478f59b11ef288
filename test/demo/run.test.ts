// `npm run demo` end to end: the script starts the simulator and the bundles, plays both rollouts
// and exits 0 only when the healthy canary was promoted and the bad one aborted.
import { spawn } from 'node:child_process'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

function runDemo(timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join('test', 'demo', 'run.ts')], {
      cwd: root,
      env: { ...process.env, PX_CANARY_DEMO_BUILD: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.setEncoding('utf8').on('data', (t: string) => (output += t))
    child.stderr.setEncoding('utf8').on('data', (t: string) => (output += t))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', reject)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolvePromise({ code, output })
    })
  })
}

describe('npm run demo', () => {
  it('should promote the healthy canary, abort the bad one and exit 0', async () => {
    const { code, output } = await runDemo(80_000)
    expect(output).toContain('demo: both rollouts ended as expected')
    expect(output).toMatch(/Image: +argoproj\/rollouts-demo:yellow\n +Status: +✔ Healthy/)
    expect(output).toMatch(/Image: +argoproj\/rollouts-demo:bad-red\n +Status: +✖ Degraded/)
    expect(output).toMatch(/✖ error-rate +Failed +error rate \d+\.\d+ % of \d+ requests/)
    expect(code).toBe(0)
  }, 90_000)
})
