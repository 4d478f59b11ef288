// Retention through the bundled functions: each node's agent keeps http_events up to a byte
// bound and expires its oldest rows first (pixie-io/pixie src/table_store/table/table.cc; the
// bound is a share of PL_TABLE_STORE_DATA_LIMIT_MB, src/vizier/services/agent/pem/
// pem_manager.cc), and a query whose window reaches back past the oldest row silently starts
// there. A 1 h window over 15 minutes of retained data must never answer a diluted number: the
// answer says how much the rows cover and has no value (reason pixie_retention).
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { evaluateResult, EvaluationError } from '../argo-emulator/evaluate'
import { analysisTemplates, loadManifestDir } from '../argo-emulator/manifests'
import { substituteArgs } from '../argo-emulator/template'
import { ROOT, type FunctionName, type RunningFunction } from './helpers/functions'
import { groundTruth } from './helpers/ground-truth'
import { useHarness } from './helpers/harness'

const NOW = 1_800_000_000_250_000_000n
const RS = 'steady-6f7d8c9b5'
const BASELINE_RS = 'steady-5b9d7c6f4'
const SELECT = `/?namespace=web&replicaset=${RS}`

describe('e2e: a 1 h window over 15 minutes of retained data', () => {
  const h = useHarness({
    scenario: {
      name: 'retention',
      seed: 5,
      history: '20m', // more than retention keeps: older rows would be expired anyway
      nodes: ['n1'],
      // About 15 minutes of this node's rows (36 rps, ~275 bytes a row).
      pixie: { http_events_bytes: 8_925_000 },
      namespaces: [
        {
          name: 'web',
          replicasets: [
            { name: RS, pods: 2, traffic: { rps: 12 } },
            { name: BASELINE_RS, pods: 1, traffic: { rps: 12 } },
          ],
        },
      ],
    },
    port: 0,
    clock: () => NOW,
  })

  const truthOf = (windowSeconds: number) =>
    groundTruth(h().sim.world, {
      namespace: 'web',
      selector: { replicaset: RS },
      nowNs: NOW,
      windowSeconds,
    })

  it('should answer no value, with the covered span and the reason, from every function', async () => {
    const truth = truthOf(3600)
    // The scenario does what it says: about 15 minutes left, cut by retention.
    expect(truth.truncated).toBe(true)
    expect(truth.coveredSeconds!).toBeGreaterThan(840)
    expect(truth.coveredSeconds!).toBeLessThan(960)
    for (const name of ['throughput', 'error-rate', 'latency'] as const) {
      const r = await h().fns[name].get(`${SELECT}&window=1h`)
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      expect(r.body).toMatchObject({
        value: null,
        requests: truth.requests,
        window_seconds: 3600,
        covered_seconds: truth.coveredSeconds,
        coverage_ratio: Math.round((truth.coveredSeconds! / 3600) * 1000) / 1000,
        reason: 'pixie_retention',
      })
    }
    const tp = await h().fns.throughput.get(`${SELECT}&window=1h`)
    // Never the diluted 6 rps (requests / 3600 s).
    expect(tp.body.rps).toBeNull()
  })

  it('should answer the true rate over a window the retained rows cover', async () => {
    const truth = truthOf(600)
    expect(truth.truncated).toBe(false)
    const r = await h().fns.throughput.get(`${SELECT}&window=10m`)
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body.reason).toBeUndefined()
    expect(r.body.covered_seconds).toBe(truth.coveredSeconds)
    expect(r.body.rps as number).toBeCloseTo(truth.rps!, 9)
    expect(Math.abs((r.body.rps as number) - 24) / 24).toBeLessThan(0.02)
  })

  // Argo evaluates the conditions with expr (argoproj/argo-rollouts utils/evaluate/evaluate.go):
  // a null figure cannot be compared, so the measurement is an Error, never Successful.
  it("should never pass any canary/ template's conditions", async () => {
    const templates = analysisTemplates(loadManifestDir(join(ROOT, 'canary')))
    const given: Record<string, string> = {
      namespace: 'web',
      rollout: 'steady',
      'canary-hash': RS.slice('steady-'.length),
      'baseline-hash': BASELINE_RS.slice('steady-'.length),
      window: '1h',
      'auth-token': 'unused',
    }
    let judged = 0
    /** Templates share URLs: one call per distinct URL keeps the test fast. */
    const answers = new Map<string, Awaited<ReturnType<RunningFunction['get']>>>()
    for (const template of templates) {
      const args: Record<string, string> = {}
      for (const arg of template.spec.args ?? []) {
        args[arg.name] = given[arg.name] ?? arg.value ?? ''
      }
      for (const metric of template.spec.metrics) {
        const resolved = substituteArgs(metric, args)
        const url = new URL(resolved.provider.web!.url)
        const name = url.hostname.split('.')[0]!.replace(/^px-/, '') as FunctionName
        const key = `${name} ${url.pathname}${url.search}`
        const r = answers.get(key) ?? (await h().fns[name].get(`${url.pathname}${url.search}`))
        answers.set(key, r)
        expect(r.status, JSON.stringify(r.body)).toBe(200)
        // The scenario serves HTTP only: gRPC and MySQL templates see no requests at all.
        const http = (url.searchParams.get('protocol') ?? 'http') === 'http'
        expect(http ? r.body.reason : r.body.requests).toBe(http ? 'pixie_retention' : 0)
        let phase: string
        try {
          phase = evaluateResult(r.body, resolved)
        } catch (err) {
          if (!(err instanceof EvaluationError)) throw err
          phase = 'Error'
        }
        expect(phase, `${template.metadata.name}/${metric.name}`).not.toBe('Successful')
        judged++
      }
    }
    expect(judged).toBeGreaterThanOrEqual(10)
  })
})
