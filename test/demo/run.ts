/**
 * `npm run demo`: canary rollouts of the Argo Rollouts demo application, judged by the real
 * canary/ Rollouts and AnalysisTemplates through the Argo emulator, against the three bundled
 * functions and the Vizier simulator. Time is compressed (one emulated minute takes about a
 * second); every measurement is printed as it comes.
 *
 * - Thresholds (canary/rollout.yaml, demo scenario): the healthy canary (yellow) is promoted, the
 *   bad one (bad-red, ~80 % 500s) is aborted.
 * - Against the baseline (canary/examples/rollout-comparison.yaml, comparison scenario): a canary
 *   at 3.5 % errors where stable has 1 % is aborted although it is under the 5 % threshold, and a
 *   canary hit by the same outage as stable (8 % errors on both) is promoted although it is over
 *   it. The comparison scenario runs with a frozen simulator clock, so its outcome is the seed's.
 *
 * Exits 0 when every rollout ends as expected. Bounded: gives up after 55 s; Ctrl-C stops
 * everything cleanly.
 */
import { buildFunctions } from '../../esbuild.config.mjs'
import { VirtualClock } from '../argo-emulator/clock'
import { emulateRollout } from '../argo-emulator/rollout'
import type { RolloutStatus } from '../argo-emulator/rollout'
import type { RolloutManifest } from '../argo-emulator/rollout'
// The frozen "now" the comparison tests use, so the demo shows what they assert.
import { FROZEN_NOW_NS } from '../comparison/engine'
import {
  canaryManifests,
  comparisonRollout,
  FUNCTIONS,
  readScenario,
  startStack,
} from '../scenarios/stack'
import type { Stack } from '../scenarios/stack'
import { canaryObjects, demoScenario } from '../scenarios/demo-traffic'
import { formatEvent, formatSummary } from './narrate'

/**
 * Real milliseconds per emulated millisecond: 30 s intervals take 0.6 s, so a person can follow.
 * PX_CANARY_DEMO_TIME_SCALE=0 runs emulated time as fast as the measurements go (its test does).
 */
const TIME_SCALE = timeScale(process.env.PX_CANARY_DEMO_TIME_SCALE)

function timeScale(text: string | undefined): number {
  if (text === undefined || text === '') return 0.02
  const value = Number(text)
  if (!(value >= 0) || !Number.isFinite(value))
    throw new Error(`PX_CANARY_DEMO_TIME_SCALE must be a number >= 0, got ${JSON.stringify(text)}`)
  return value
}
const DEADLINE_MS = 55_000

/** Which Rollout judges: thresholds (canary/rollout.yaml) or the baseline comparison. */
type Judge = 'thresholds' | 'baseline'

interface DemoCase {
  image: string
  hash: string
  expect: RolloutStatus
  story: string
  namespace?: string
}

const STAGES: Array<{
  scenario: string
  judge: Judge
  frozen: boolean
  /** Pod counts and rates from the demo's manifests (load generator, Services, setWeight). */
  manifestTraffic?: boolean
  cases: DemoCase[]
}> = [
  {
    scenario: 'demo',
    judge: 'thresholds',
    frozen: false,
    manifestTraffic: true,
    cases: [
      {
        image: 'argoproj/rollouts-demo:yellow',
        hash: '7d9f8c6b5',
        expect: 'Healthy',
        story: 'a healthy canary (like stable: about 0.5 % errors, p99 ~120 ms)',
      },
      {
        image: 'argoproj/rollouts-demo:bad-red',
        hash: '6c8d4b9f7',
        expect: 'Degraded',
        story: 'a bad canary (bad-red answers most requests with 500)',
      },
    ],
  },
  {
    scenario: 'comparison',
    judge: 'baseline',
    frozen: true,
    cases: [
      {
        image: 'argoproj/rollouts-demo:orange',
        hash: '6c8d4b9f7',
        expect: 'Degraded',
        story:
          'a canary at 3.5 % errors where stable has 1 %: under a 5 % threshold, but 3.5x its baseline',
      },
      {
        image: 'argoproj/rollouts-demo:yellow',
        hash: '7d9f8c6b5',
        namespace: 'outage',
        expect: 'Healthy',
        story:
          'a good canary during an outage of a shared dependency: 8 % errors, but stable has them too',
      },
    ],
  },
]
const STABLE_HASH = '5b9d7c6f48'
const TOTAL = STAGES.reduce((n, stage) => n + stage.cases.length, 0)

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
  const { rollout: thresholds, templates } = canaryManifests()
  const rollouts: Record<Judge, RolloutManifest> = {
    thresholds,
    baseline: comparisonRollout(),
  }
  let failures = 0
  for (const stage of STAGES) {
    const rollout = rollouts[stage.judge]
    out()
    out(
      stage.judge === 'thresholds'
        ? `══ judged by fixed thresholds (canary/rollout.yaml, ${rollout.spec.strategy.canary?.analysis?.templates.map((t) => t.templateName).join(', ')})`
        : `══ judged against the stable ReplicaSet (canary/examples/rollout-comparison.yaml, ${rollout.spec.strategy.canary?.analysis?.templates.map((t) => t.templateName).join(', ')})`
    )
    const scenario = readScenario(stage.scenario)
    stack = await startStack(
      stage.manifestTraffic === true
        ? demoScenario(scenario, canaryObjects(), rollout, {
            namespace: 'default',
            stableHash: STABLE_HASH,
            canaryHashes: stage.cases.map((c) => c.hash),
          })
        : scenario,
      {},
      stage.frozen ? { clock: () => FROZEN_NOW_NS } : {}
    )
    out(`simulator (${stage.scenario} scenario) on ${stack.simulator.address}; functions:`)
    for (const fn of FUNCTIONS)
      out(`  px-${fn}.px-canary.svc.cluster.local -> ${stack.functions[fn].url}`)
    out(`time: 1 emulated minute takes ${(60 * TIME_SCALE).toFixed(1)} s`)
    const steps = rollout.spec.strategy.canary?.steps ?? []
    for (const demoCase of stage.cases) {
      const namespace = demoCase.namespace ?? 'default'
      out()
      out(
        `━━ kubectl argo rollouts set image ${rollout.metadata.name} "*=${demoCase.image}"${namespace === 'default' ? '' : ` -n ${namespace}`}`
      )
      out(`   ${demoCase.story}; canary ReplicaSet ${rollout.metadata.name}-${demoCase.hash}`)
      const result = await emulateRollout(rollout, {
        clock: new VirtualClock(TIME_SCALE),
        templates,
        namespace,
        podTemplateHashes: { Latest: demoCase.hash, Stable: STABLE_HASH },
        hostRewrite: stack.hostRewrite,
        onEvent: (event) => {
          for (const line of formatEvent(event, steps.length)) out(line)
        },
      })
      out()
      for (const line of formatSummary(
        rollout.metadata.name,
        demoCase.image,
        result,
        steps.length
      )) {
        out(`   ${line}`)
      }
      if (result.status !== demoCase.expect) {
        failures++
        out(`   UNEXPECTED: expected ${demoCase.expect}`)
      }
    }
    const done = stack
    stack = undefined
    await done.close()
  }
  out()
  out(
    failures === 0
      ? `demo: all ${TOTAL} rollouts ended as expected`
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
