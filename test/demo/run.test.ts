// `npm run demo` end to end: the script starts the simulator and the bundles, plays the rollouts
// and exits 0 only when each ended as expected: by thresholds, the healthy canary promoted and the
// bad one aborted; against the baseline, the canary at 3.5x stable's error rate aborted and the
// canary sharing stable's outage promoted.
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { spawnTracked } from '../helpers/spawn'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

function runDemo(timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawnTracked(
      process.execPath,
      ['--import', 'tsx', join('test', 'demo', 'run.ts')],
      {
        cwd: root,
        // Emulated time without real pauses: the same measurements, in the same order.
        env: { ...process.env, PX_CANARY_DEMO_BUILD: '0', PX_CANARY_DEMO_TIME_SCALE: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      }
    )
    let output = ''
    child.stdout!.setEncoding('utf8').on('data', (t: string) => (output += t))
    child.stderr!.setEncoding('utf8').on('data', (t: string) => (output += t))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', reject)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolvePromise({ code, output })
    })
  })
}

describe('npm run demo', () => {
  it('should judge by thresholds and against the baseline as expected and exit 0', async () => {
    const { code, output } = await runDemo(80_000)
    expect(output).toContain('demo: all 4 rollouts ended as expected')
    expect(output).toMatch(/Image: +argoproj\/rollouts-demo:yellow\n +Status: +✔ Healthy/)
    expect(output).toMatch(/Image: +argoproj\/rollouts-demo:bad-red\n +Status: +✖ Degraded/)
    expect(output).toMatch(/✖ error-rate +Failed +error rate \d+\.\d+ % of \d+ requests/)
    // Against the baseline: the canary under the threshold but worse than stable is aborted...
    expect(output).toMatch(/Image: +argoproj\/rollouts-demo:orange\n +Status: +✖ Degraded/)
    expect(output).toMatch(
      /✖ error-rate +Failed +error rate 3\.\d+ % vs baseline [01]\.\d+ % \(p = [^)]+\): worse/
    )
    // ... and the canary over the threshold because of an outage stable shares is promoted.
    expect(output).toMatch(/-n outage\n/)
    expect(output).toMatch(
      /✔ error-rate +Successful +error rate [6-9]\.\d+ % vs baseline [6-9]\.\d+ %/
    )
    expect(output.match(/Status: +✔ Healthy/g)).toHaveLength(2)
    expect(code).toBe(0)
  }, 90_000)
})
