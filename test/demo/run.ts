/**
 * `npm run demo`: two canary rollouts of the Argo Rollouts demo application, judged by the real
 * canary/ Rollout and AnalysisTemplates through the Argo emulator, against the three bundled
 * functions and the Vizier simulator (demo scenario). Time is compressed (one emulated minute
 * takes about a second); every measurement is printed as it comes. The healthy canary (yellow) is
 * promoted, the bad one (bad-red, ~80 % 500s) is aborted. Exits 0 when both end as expected.
 * Bounded: gives up after 55 s; Ctrl-C stops everything cleanly.
 */
import { buildFunctions } from '../../esbuild.config.mjs'
import { VirtualClock } from '../argo-emulator/clock'
import { emulateRollout } from '../argo-emulator/rollout'
import type { RolloutStatus } from '../argo-emulator/rollout'
import { canaryManifests, FUNCTIONS, readScenario, startStack } from '../scenarios/stack'
import type { Stack } from '../scenarios/stack'
import { formatEvent, formatSummary } from './narrate'

/** Real milliseconds per emulated millisecond: 30 s intervals take 0.6 s. */
const TIME_SCALE = 0.02
const DEADLINE_MS = 55_000

const CASES: Array<{ image: string; hash: string; expect: RolloutStatus; story: string }> = [
  {
    image: 'argoproj/rollouts-demo:yellow',
    hash: '7d9f8c6b5',
    expect: 'Healthy',
    story: 'a healthy canary (about 1 % errors, p99 ~150 ms)',
  },
  {
    image: 'argoproj/rollouts-demo:bad-red',
    hash: '6c8d4b9f7',
    expect: 'Degraded',
    story: 'a bad canary (bad-red answers most requests with 500)',
  },
]
const STABLE_HASH = '5b9d7c6f48'

const out = (line = ''): void => {
  process.stdout.write(`${line}\n`)
}

let stack: Stack | undefined
let closing: Promise<void> | undefined
const shutdown = (code: number): Promise<never> => {
  closing ??= (async () => {
    await stack?.close().catch((err: unknown) => out(`shutdown: ${String(err)}`))
  })()
  return closing.then(() => process.exit(code))
}

process.once('SIGINT', () => void shutdown(130))
process.once('SIGTERM', () => void shutdown(143))
const watchdog = setTimeout(() => {
  out(`demo: still running after ${DEADLINE_MS / 1000} s, giving up`)
  void shutdown(1)
}, DEADLINE_MS)
watchdog.unref()

async function main(): Promise<number> {
  out('px-canary demo: Argo Rollouts canary analysis, emulated, against the Vizier simulator')
  // Always rebuild so the demo runs this checkout's code (the test of this script, which runs after
  // vitest's own build, skips it with PX_CANARY_DEMO_BUILD=0).
  if (process.env.PX_CANARY_DEMO_BUILD !== '0') {
    out('building the function bundles ...')
    await buildFunctions({ quiet: true })
  }
  stack = await startStack(readScenario('demo'))
  out(`simulator (demo scenario) on ${stack.simulator.address}; functions:`)
  for (const fn of FUNCTIONS)
    out(`  px-${fn}.px-canary.svc.cluster.local -> ${stack.functions[fn].url}`)
  out(`time: 1 emulated minute takes ${(60 * TIME_SCALE).toFixed(1)} s`)

  const { rollout, templates } = canaryManifests()
  const steps = rollout.spec.strategy.canary?.steps ?? []
  let failures = 0
  for (const demoCase of CASES) {
    out()
    out(`━━ kubectl argo rollouts set image ${rollout.metadata.name} "*=${demoCase.image}"`)
    out(`   ${demoCase.story}; canary ReplicaSet ${rollout.metadata.name}-${demoCase.hash}`)
    const result = await emulateRollout(rollout, {
      clock: new VirtualClock(TIME_SCALE),
      templates,
      namespace: 'default',
      podTemplateHashes: { Latest: demoCase.hash, Stable: STABLE_HASH },
      hostRewrite: stack.hostRewrite,
      onEvent: (event) => {
        for (const line of formatEvent(event, steps.length)) out(line)
      },
    })
    out()
    for (const line of formatSummary(rollout.metadata.name, demoCase.image, result, steps.length)) {
      out(`   ${line}`)
    }
    if (result.status !== demoCase.expect) {
      failures++
      out(`   UNEXPECTED: expected ${demoCase.expect}`)
    }
  }
  out()
  out(
    failures === 0
      ? 'demo: both rollouts ended as expected'
      : `demo: ${failures} unexpected outcome(s)`
  )
  return failures === 0 ? 0 : 1
}

main().then(
  (code) => shutdown(code),
  (err: unknown) => {
    out(`demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
    return shutdown(1)
  }
)
