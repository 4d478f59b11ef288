// Wiring of canary/: every AnalysisTemplate URL reaches a function defined in knative/ on a route
// and with parameters the functions serve, every placeholder is a declared arg, the Rollout passes
// what the templates need, and the timing fits the Knative Services.
import { describe, expect, it } from 'vitest'
import { parseGoDuration } from '../argo-emulator/duration'
import { join } from 'node:path'
import { analysisTemplates, findRollout, loadManifestDir } from '../argo-emulator/manifests'
import { placeholdersIn, substituteArgs } from '../argo-emulator/template'
import type { AnalysisTemplate, Metric } from '../argo-emulator/types'
import { errorRate } from '../../functions/error-rate/metric'
import { latency } from '../../functions/latency/metric'
import { throughput } from '../../functions/throughput/metric'
import { BASELINE_PARAMS, parameterNames } from '../../shared/params'
import { CANARY_DIR, canaryDocs, knativeDocs } from './repo'

/** Each function's query parameters, as the functions themselves declare them. */
const METRIC_PARAMS: Record<string, readonly string[]> = Object.fromEntries(
  [errorRate, latency, throughput].map((d) => [d.name, parameterNames(d.params)])
)

/** canary/examples/rollout-comparison.yaml: the Rollout judged by the comparison templates. */
const comparisonRollout = () => findRollout(loadManifestDir(join(CANARY_DIR, 'examples')))

interface KService {
  metadata: { name: string; namespace: string }
  spec: {
    template: {
      metadata: { annotations?: Record<string, string> }
      spec: { timeoutSeconds?: number }
    }
  }
}

const kservices = (): KService[] =>
  knativeDocs()
    .filter((d) => d.object.apiVersion === 'serving.knative.dev/v1')
    .map((d) => d.object as unknown as KService)

const templates = (): AnalysisTemplate[] => analysisTemplates(canaryDocs())

/** The metric with its args filled by sample values (declared defaults kept). */
function sampled(template: AnalysisTemplate, metric: Metric): Metric {
  const values: Record<string, string> = {}
  for (const arg of template.spec.args ?? []) values[arg.name] = arg.value ?? `sample-${arg.name}`
  return substituteArgs(metric, values)
}

const cases = () =>
  templates().flatMap((t) =>
    t.spec.metrics.map((m) => [`${t.kind} ${t.metadata.name} / ${m.name}`, t, m] as const)
  )

describe('AnalysisTemplates', () => {
  it('should include one template per metric, a combined one, and cluster variants', () => {
    const names = templates().map((t) => `${t.kind}/${t.metadata.name}`)
    for (const kind of ['AnalysisTemplate', 'ClusterAnalysisTemplate']) {
      for (const name of ['px-error-rate', 'px-latency', 'px-throughput', 'px-canary-analysis']) {
        expect(names).toContain(`${kind}/${name}`)
      }
    }
    const combined = templates().find((t) => t.metadata.name === 'px-canary-analysis')
    expect(combined?.spec.metrics.map((m) => m.name)).toEqual([
      'error-rate',
      'latency',
      'throughput',
    ])
  })

  it('should include comparison templates per metric, a combined one, and cluster variants', () => {
    const names = templates().map((t) => `${t.kind}/${t.metadata.name}`)
    for (const kind of ['AnalysisTemplate', 'ClusterAnalysisTemplate']) {
      for (const name of [
        'px-error-rate-comparison',
        'px-latency-comparison',
        'px-throughput-comparison',
        'px-canary-comparison',
      ]) {
        expect(names).toContain(`${kind}/${name}`)
      }
    }
    const combined = templates().find((t) => t.metadata.name === 'px-canary-comparison')
    expect(combined?.spec.metrics.map((m) => m.name)).toEqual([
      'error-rate',
      'latency',
      'throughput',
    ])
  })

  it('should keep each ClusterAnalysisTemplate identical to its AnalysisTemplate', () => {
    const clusters = templates().filter((t) => t.kind === 'ClusterAnalysisTemplate')
    for (const cluster of clusters) {
      const namespaced = templates().find(
        (t) => t.kind === 'AnalysisTemplate' && t.metadata.name === cluster.metadata.name
      )
      expect(namespaced, cluster.metadata.name).toBeDefined()
      expect(cluster.spec).toEqual(namespaced?.spec)
    }
  })

  it.each(cases())('should declare every arg %s uses', (_name, template, metric) => {
    const declared = (template.spec.args ?? []).map((a) => a.name)
    for (const name of placeholdersIn(metric)) expect(declared, `{{args.${name}}}`).toContain(name)
  })

  it.each(cases())(
    'should call a px-canary function on a route it serves in %s',
    (_name, template, metric) => {
      const web = sampled(template, metric).provider.web
      expect(web).toBeDefined()
      const url = new URL(web?.url ?? '')
      expect(url.protocol).toBe('http:')
      const host = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(url.hostname)
      expect(host, url.hostname).not.toBeNull()
      const [, name, namespace] = host ?? []
      const service = kservices().find(
        (s) => s.metadata.name === name && s.metadata.namespace === namespace
      )
      expect(service, `${name}.${namespace} in knative/`).toBeDefined()
      const fn = (name ?? '').replace(/^px-/, '')
      expect(Object.keys(METRIC_PARAMS)).toContain(fn)
      expect(url.port).toBe('')

      const pathForm = url.pathname.match(/^\/([a-z-]+)\/[^/]+\/[^/]+$/)
      if (pathForm) {
        expect(pathForm[1]).toBe(fn)
      } else {
        expect(url.pathname).toBe('/')
        const params = [...url.searchParams.keys()]
        for (const param of params) expect(METRIC_PARAMS[fn] ?? []).toContain(param)
        expect(params).toContain('namespace')
        const selectors = ['replicaset', 'rollout', 'pod', 'service'].filter((p) =>
          params.includes(p)
        )
        expect(selectors).toHaveLength(1)
        if (selectors[0] === 'rollout') expect(params).toContain('hash')
      }
      expect(web?.method ?? 'GET').toBe('GET')
    }
  )

  it.each(cases())(
    'should judge %s with both conditions and a request-count guard or a comparison verdict',
    (_name, template, metric) => {
      const m = sampled(template, metric)
      const verdict =
        /^result\.comparison\.(error_rate|latency|throughput)\.verdict == '(worse|not_worse)'$/
      const success = verdict.exec(m.successCondition ?? '')
      if (success !== null) {
        // insufficient_data satisfies neither condition: Inconclusive, as the guard makes it.
        expect(success[2]).toBe('not_worse')
        expect(m.failureCondition).toBe(`result.comparison.${success[1]}.verdict == 'worse'`)
        const url = new URL(m.provider.web?.url ?? '')
        expect(BASELINE_PARAMS.filter((p) => url.searchParams.has(p))).toHaveLength(1)
        expect(url.hostname.split('.')[0]).toBe(`px-${(success[1] ?? '').replace('_', '-')}`)
        // Every comparison metric declares its looks to the function and makes that many.
        expect(url.searchParams.get('looks')).toBe(
          template.spec.args?.find((a) => a.name === 'looks')?.value
        )
        expect(String(m.count)).toBe(url.searchParams.get('looks'))
      } else {
        expect(m.successCondition).toMatch(/^result\.requests >= \d+ && /)
        expect(m.failureCondition).toMatch(/^result\.requests >= \d+ && /)
      }
      expect(m.provider.web?.jsonPath).toBe('{$}')
    }
  )

  it.each(cases())('should fit the Knative timing in %s', (_name, template, metric) => {
    const m = sampled(template, metric)
    const host = new URL(m.provider.web?.url ?? '').hostname.split('.')
    const service = kservices().find((s) => s.metadata.name === host[0])
    const knativeTimeout = service?.spec.template.spec.timeoutSeconds ?? 300
    const timeout = m.provider.web?.timeoutSeconds ?? 10
    // Argo gives up before Knative does, and within a reasonable cold start budget.
    expect(timeout).toBeGreaterThanOrEqual(15)
    expect(timeout).toBeLessThan(knativeTimeout)
    // Polling more often than the stable window keeps one pod warm between measurements.
    const window = parseGoDuration(
      service?.spec.template.metadata.annotations?.['autoscaling.knative.dev/window'] ?? '60s'
    )
    expect(parseGoDuration(m.interval ?? '0s')).toBeGreaterThan(0)
    expect(parseGoDuration(m.interval ?? '0s')).toBeLessThan(window)
  })
})

describe.each([
  ['the Rollout', () => findRollout(canaryDocs())],
  ['the comparison Rollout example', comparisonRollout],
])('%s', (_name, loadRollout) => {
  it('should reference templates that exist and pass only args they declare', () => {
    const rollout = loadRollout()
    const analysis = rollout.spec.strategy.canary?.analysis
    expect(analysis?.templates.length).toBeGreaterThan(0)
    for (const ref of analysis?.templates ?? []) {
      const kind = ref.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate'
      const template = templates().find(
        (t) => t.kind === kind && t.metadata.name === ref.templateName
      )
      expect(template, `${kind} ${ref.templateName}`).toBeDefined()
      const declared = (template?.spec.args ?? []).map((a) => a.name)
      const passed = (analysis?.args ?? []).map((a) => a.name)
      // Argo ignores an arg the template does not declare: a typo would go unnoticed.
      for (const name of passed) expect(declared).toContain(name)
      // Every arg without a default must come from the Rollout.
      for (const arg of template?.spec.args ?? []) {
        if (arg.value === undefined && arg.valueFrom === undefined)
          expect(passed).toContain(arg.name)
      }
    }
  })

  it('should pass the canary hash of the latest ReplicaSet and start analysis after the first weight', () => {
    const rollout = loadRollout()
    const canary = rollout.spec.strategy.canary
    const hash = canary?.analysis?.args?.find((a) => a.name === 'canary-hash')
    expect(hash?.valueFrom?.podTemplateHashValue).toBe('Latest')
    expect(canary?.analysis?.startingStep).toBe(1)
    expect(canary?.steps?.[0]?.setWeight).toBeGreaterThan(0)
    expect(canary?.steps?.some((s) => s.pause?.duration !== undefined)).toBe(true)
  })
})

describe('the comparison Rollout example', () => {
  it('should be the project Rollout with the comparison analysis and the stable hash as baseline', () => {
    const example = comparisonRollout()
    const rollout = findRollout(canaryDocs())
    const analysis = example.spec.strategy.canary?.analysis
    expect(analysis?.templates.map((t) => t.templateName)).toEqual(['px-canary-comparison'])
    const baseline = analysis?.args?.find((a) => a.name === 'baseline-hash')
    expect(baseline?.valueFrom?.podTemplateHashValue).toBe('Stable')
    // Everything but the analysis is the same application.
    const strip = (r: typeof rollout) => {
      const copy = structuredClone(r)
      delete copy.spec.strategy.canary?.analysis
      return copy
    }
    expect(strip(example)).toEqual(strip(rollout))
  })
})
