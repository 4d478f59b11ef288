// The demo end to end, on both kustomizations as kustomize renders them: template URLs reach the
// Knative Services, the Services are what their comments say once Argo has patched them, the load
// generator calls a Service Argo leaves alone at a rate that clears min-requests in the first
// measurement, and the functions' limits follow the figures measured for them.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseGoDuration } from '../argo-emulator/duration'
import { findRollout, loadManifestDir } from '../argo-emulator/manifests'
import type { RolloutManifest } from '../argo-emulator/rollout'
import type { AnalysisTemplate } from '../argo-emulator/types'
import {
  basicCanaryReplicas,
  firstWeight,
  parseLoadGenerator,
  serviceRoles,
} from '../scenarios/demo-traffic'
import { renderKustomization } from './kustomize'
import type { KubeObject } from './kustomize'
import { CANARY_DIR, KNATIVE_DIR } from './repo'

const knative = renderKustomization(KNATIVE_DIR)
const canary = renderKustomization(CANARY_DIR)
const rollout = findRollout(canary.map((object, index) => ({ file: '', index, object })))
const comparison = findRollout(loadManifestDir(join(CANARY_DIR, 'examples')))
const templates = canary.filter(
  (o) => o.kind === 'AnalysisTemplate' || o.kind === 'ClusterAnalysisTemplate'
) as unknown as AnalysisTemplate[]

interface ServiceSpec {
  selector?: Record<string, string>
  ports?: Array<{ port: number; targetPort?: string | number }>
}
const coreServices = canary.filter((o) => o.apiVersion === 'v1' && o.kind === 'Service')
const serviceSpec = (name: string): ServiceSpec | undefined =>
  coreServices.find((s) => s.metadata?.name === name)?.spec as ServiceSpec | undefined

const podTemplate = (r: RolloutManifest) =>
  r.spec.template as {
    metadata: { labels: Record<string, string> }
    spec: { containers: Array<{ ports?: Array<{ name?: string; containerPort: number }> }> }
  }

const selects = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v)

/** The comment block written above each document of canary/services.yaml, by Service name. */
function serviceComments(): Map<string, string> {
  const comments = new Map<string, string>()
  const text = readFileSync(join(CANARY_DIR, 'services.yaml'), 'utf8')
  for (const chunk of text.split(/^---$/m)) {
    const name = /^kind: Service\nmetadata:\n {2}name: (\S+)/m.exec(chunk)?.[1]
    const lines = chunk.split('\n')
    const start = lines.findIndex((l) => l.startsWith('apiVersion:'))
    // The comment block directly above the document; a bare '#' line ends the file's header.
    const above: string[] = []
    for (let i = start - 1; i >= 0 && (lines[i] ?? '').startsWith('# '); i--)
      above.unshift(lines[i] ?? '')
    if (name !== undefined) comments.set(name, above.map((l) => l.replace(/^# ?/, '')).join(' '))
  }
  return comments
}

/** Template arg value: the Rollout's override, else the template's default. */
function argValue(
  template: AnalysisTemplate,
  r: RolloutManifest,
  name: string
): string | undefined {
  const override = r.spec.strategy.canary?.analysis?.args?.find((a) => a.name === name)
  return override?.value ?? template.spec.args?.find((a) => a.name === name)?.value
}

const backgroundTemplates = (r: RolloutManifest): AnalysisTemplate[] =>
  (r.spec.strategy.canary?.analysis?.templates ?? []).map((ref) => {
    const kind = ref.clusterScope === true ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate'
    const found = templates.find((t) => t.kind === kind && t.metadata.name === ref.templateName)
    if (found === undefined) throw new Error(`${kind} ${ref.templateName} not rendered`)
    return found
  })

describe('template URLs', () => {
  it('should each reach a cluster-local Knative Service defined in knative/', () => {
    const kservices = knative.filter(
      (o) => o.apiVersion === 'serving.knative.dev/v1' && o.kind === 'Service'
    )
    let urls = 0
    for (const template of templates) {
      for (const metric of template.spec.metrics) {
        const url = new URL((metric.provider.web?.url ?? '').replace(/\{\{[^}]*\}\}/g, 'x'))
        urls++
        const host = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(url.hostname)
        expect(host, `${template.metadata.name}/${metric.name} ${url.hostname}`).not.toBeNull()
        const service = kservices.find(
          (s) => s.metadata?.name === host?.[1] && s.metadata?.namespace === host?.[2]
        )
        expect(service, url.hostname).toBeDefined()
        expect(service?.metadata?.labels?.['networking.knative.dev/visibility']).toBe(
          'cluster-local'
        )
        expect(url.protocol).toBe('http:')
        expect(url.pathname).toBe('/')
      }
    }
    expect(urls).toBeGreaterThan(0)
  })

  it.each([
    ['rollout.yaml', rollout],
    ['examples/rollout-comparison.yaml', comparison],
  ])('should select the ReplicaSets %s creates: its namespace, name and hashes', (_, r) => {
    const args = new Map((r.spec.strategy.canary?.analysis?.args ?? []).map((a) => [a.name, a]))
    expect(args.get('namespace')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.namespace')
    expect(args.get('rollout')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name')
    expect(args.get('canary-hash')?.valueFrom?.podTemplateHashValue).toBe('Latest')
    for (const template of backgroundTemplates(r)) {
      for (const metric of template.spec.metrics) {
        const query = new URL(metric.provider.web?.url ?? '').searchParams
        expect(query.get('namespace')).toBe('{{args.namespace}}')
        expect(query.get('rollout')).toBe('{{args.rollout}}')
        expect(query.get('hash')).toBe('{{args.canary-hash}}')
        if (query.has('baseline_hash')) {
          expect(query.get('baseline_hash')).toBe('{{args.baseline-hash}}')
          expect(args.get('baseline-hash')?.valueFrom?.podTemplateHashValue).toBe('Stable')
        }
      }
    }
  })
})

describe('the demo Services, as Argo leaves them', () => {
  const roles = serviceRoles(canary, rollout)
  const comments = serviceComments()

  it('should name the same stable and canary Services in both Rollouts, and both exist', () => {
    expect([...serviceRoles(canary, comparison)]).toEqual([...roles])
    expect([...roles.values()].sort()).toEqual(['canary', 'stable', 'unmanaged'])
  })

  it.each([...serviceRoles(canary, rollout)])(
    'should give %s (%s) the selector its comment claims',
    (name, role) => {
      const spec = serviceSpec(name) as ServiceSpec
      const selector = spec.selector ?? {}
      const comment = comments.get(name) ?? ''
      expect(comment.startsWith(`${name}:`), comment).toBe(true)
      expect(selects(selector, podTemplate(rollout).metadata.labels)).toBe(true)
      // Argo, not the manifest, adds the hash; a hash written here would pin one ReplicaSet.
      expect(selector['rollouts-pod-template-hash']).toBeUndefined()
      for (const [key, value] of Object.entries(selector))
        expect(comment).toContain(`${key}=${value}`)
      if (role === 'unmanaged') {
        expect(comment).toMatch(/NOT named in the Rollout, so Argo never patches it/)
        expect(comment).toMatch(/share of pods/)
      } else {
        expect(comment).toContain(`the Rollout's ${role}Service`)
        expect(comment).toContain(`rollouts-pod-template-hash=<${role} hash>`)
      }
    }
  )
})

describe('the load generator (canary/examples/load-generator.yaml)', () => {
  const load = parseLoadGenerator(canary)
  const roles = serviceRoles(canary, rollout)

  it('should call a Service the Rollouts do not name, which reaches both ReplicaSets', () => {
    expect(roles.get(load.service)).toBe('unmanaged')
    expect(serviceRoles(canary, comparison).get(load.service)).toBe('unmanaged')
    const spec = serviceSpec(load.service) as ServiceSpec
    expect(selects(spec.selector ?? {}, podTemplate(rollout).metadata.labels)).toBe(true)
    const port = spec.ports?.find((p) => p.port === load.port)
    expect(port, `port ${load.port}`).toBeDefined()
    const containerPorts = podTemplate(rollout).spec.containers.flatMap((c) => c.ports ?? [])
    expect(
      containerPorts.some((p) =>
        typeof port?.targetPort === 'string'
          ? p.name === port.targetPort
          : p.containerPort === (port?.targetPort ?? load.port)
      )
    ).toBe(true)
    // rollouts-demo answers its colour on /color (argoproj/rollouts-demo main.go).
    expect(load.path).toBe('/color')
  })

  it('should open a connection per request, so kube-proxy spreads requests by pods', () => {
    expect(load.keepAlive).toBe(false)
  })

  it('should not be selected by any Service of the demo', () => {
    for (const service of coreServices) {
      const selector = (service.spec as ServiceSpec).selector ?? {}
      expect(selects(selector, load.podLabels), service.metadata?.name).toBe(false)
    }
  })

  it.each([
    ['rollout.yaml', rollout],
    ['examples/rollout-comparison.yaml', comparison],
  ])('should give %s enough requests for a verdict at the first measurement', (_, r) => {
    const replicas = (r.spec.replicas as number | undefined) ?? 1
    const { canary: canaryPods, stable: stablePods } = basicCanaryReplicas(replicas, firstWeight(r))
    const share = canaryPods / (canaryPods + stablePods)
    for (const template of backgroundTemplates(r)) {
      for (const metric of template.spec.metrics) {
        // The canary has taken traffic for about initialDelay when the first measurement runs.
        const seconds = parseGoDuration(metric.initialDelay ?? '0s') / 1000
        const windowSeconds = parseGoDuration(argValue(template, r, 'window') ?? '60s') / 1000
        const minRequests = Number(argValue(template, r, 'min-requests'))
        const canaryRequests = load.qps * share * seconds
        const label = `${template.metadata.name}/${metric.name}`
        expect(minRequests, label).toBeGreaterThan(0)
        expect(canaryRequests, label).toBeGreaterThanOrEqual(minRequests)
        if ((metric.provider.web?.url ?? '').includes('baseline_hash')) {
          expect(load.qps * (1 - share) * windowSeconds, label).toBeGreaterThanOrEqual(minRequests)
        }
        const minRps = argValue(template, r, 'min-rps')
        if (metric.name === 'throughput' && minRps !== undefined)
          expect(canaryRequests / windowSeconds, label).toBeGreaterThanOrEqual(Number(minRps))
      }
    }
  })

  it('should state the rate and the first-window arithmetic its comment gives', () => {
    const comment = readFileSync(join(CANARY_DIR, 'examples', 'load-generator.yaml'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('#'))
      .map((l) => l.replace(/^# ?/, ''))
      .join(' ')
      .replace(/\s+/g, ' ')
    const { canary: c, stable: s } = basicCanaryReplicas(
      (rollout.spec.replicas as number | undefined) ?? 1,
      firstWeight(rollout)
    )
    const delay =
      parseGoDuration(backgroundTemplates(rollout)[0]?.spec.metrics[0]?.initialDelay ?? '0s') / 1000
    expect(comment).toContain(`steady ${load.qps} requests per second`)
    expect(comment).toContain(
      `${load.qps} x ${c}/${c + s} x ${delay} s = ${Math.round((load.qps * c * delay) / (c + s))} requests`
    )
  })
})

describe('the functions\' limits against the measured figures (knative/README.md "Memory limit")', () => {
  const readme = readFileSync(join(KNATIVE_DIR, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('### Memory limit'))
  const row = (label: RegExp): string => {
    const line = section.split('\n').find((l) => label.test(l))
    if (line === undefined) throw new Error(`no row ${String(label)} in "Memory limit"`)
    return line.split('|')[2] ?? ''
  }
  const numbers = (cell: string): number[] =>
    [...cell.matchAll(/(\d+(?:\.\d+)?) MiB/g)].map((m) => Number(m[1]))
  const concurrency = Number(/(\d+) requests in flight/.exec(row(/^\| measured concurrency/))?.[1])
  const peaks = numbers(row(/^\| peak RSS/))
  const [nodeOffset] = numbers(row(/^\| Node 24 over Node 20/))
  const required = 2 * (Math.max(...peaks) + (nodeOffset ?? Number.NaN))

  const kservices = knative.filter((o) => o.kind === 'Service') as Array<
    KubeObject & {
      spec: {
        template: {
          spec: {
            containerConcurrency: number
            containers: Array<{ resources: { limits: { memory: string } } }>
          }
        }
      }
    }
  >
  const mebibytes = (quantity: string): number => {
    const m = /^(\d+)(Mi|Gi)$/.exec(quantity)
    if (m === null) throw new Error(`unexpected memory quantity ${quantity}`)
    return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1)
  }

  it('should record a peak per function and the sum the limit must cover', () => {
    expect(peaks).toHaveLength(3)
    expect(row(/^\| limit needed/)).toContain(`= ${required.toFixed(1)} MiB`)
  })

  it.each(kservices.map((s) => [s.metadata?.name ?? '?', s]))(
    'should run %s at the measured concurrency with a limit of at least twice its peak',
    (_, service) => {
      expect(service.spec.template.spec.containerConcurrency).toBe(concurrency)
      for (const container of service.spec.template.spec.containers)
        expect(mebibytes(container.resources.limits.memory)).toBeGreaterThanOrEqual(required)
    }
  )
})
