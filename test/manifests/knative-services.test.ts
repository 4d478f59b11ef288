import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { readFileSync } from 'node:fs'
import { KNATIVE_BASE_DIR, knativeDocs, REPO_ROOT } from './repo'

const METRICS = ['error-rate', 'latency', 'throughput'] as const

interface Container {
  image: string
  ports?: Array<{ containerPort: number; name?: string }>
  env?: Array<{
    name: string
    value?: string
    valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } }
  }>
  readinessProbe?: { httpGet?: { path?: string }; initialDelaySeconds?: number }
  livenessProbe?: { httpGet?: { path?: string } }
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> }
  securityContext?: Record<string, unknown> & { capabilities?: { drop?: string[]; add?: string[] } }
}

interface KService {
  metadata: { name: string; namespace: string; labels?: Record<string, string> }
  spec: {
    template: {
      metadata: { annotations?: Record<string, string> }
      spec: { containerConcurrency?: number; timeoutSeconds?: number; containers: Container[] }
    }
  }
}

const services = (): KService[] =>
  knativeDocs()
    .filter((d) => d.object.apiVersion === 'serving.knative.dev/v1' && d.object.kind === 'Service')
    .map((d) => d.object as unknown as KService)

describe('Knative Services', () => {
  it('should define px-<metric> in namespace px-canary for each metric', () => {
    expect(
      services()
        .map((s) => `${s.metadata.namespace}/${s.metadata.name}`)
        .sort()
    ).toEqual(METRICS.map((m) => `px-canary/px-${m}`))
  })

  it('should have a Service for every function folder in the repository', () => {
    const functionsDir = join(REPO_ROOT, 'functions')
    const names = services().map((s) => s.metadata.name)
    for (const metric of METRICS) {
      if (existsSync(join(functionsDir, metric, 'index.ts')))
        expect(names).toContain(`px-${metric}`)
    }
  })

  it.each(METRICS)('should make px-%s cluster-local and scale to zero', (metric) => {
    const service = services().find((s) => s.metadata.name === `px-${metric}`) as KService
    expect(service.metadata.labels?.['networking.knative.dev/visibility']).toBe('cluster-local')
    const annotations = service.spec.template.metadata.annotations ?? {}
    expect(annotations['autoscaling.knative.dev/min-scale']).toBe('0')
    expect(annotations['autoscaling.knative.dev/class']).toBe('kpa.autoscaling.knative.dev')
    for (const knob of [
      'window',
      'scale-to-zero-pod-retention-period',
      'initial-scale',
      'target',
    ]) {
      expect(annotations[`autoscaling.knative.dev/${knob}`], knob).toBeDefined()
    }
    expect(service.spec.template.spec.containerConcurrency).toBeGreaterThan(0)
    expect(service.spec.template.spec.timeoutSeconds).toBeGreaterThan(0)
  })

  it.each(METRICS)(
    'should run px-%s from its own image, hardened, with health probes',
    (metric) => {
      const service = services().find((s) => s.metadata.name === `px-${metric}`) as KService
      const [container, ...others] = service.spec.template.spec.containers
      expect(others).toHaveLength(0)
      expect(container?.image).toMatch(new RegExp(`/px-canary-${metric}:`))
      expect(container?.ports?.map((p) => p.containerPort)).toEqual([8080])
      expect(container?.readinessProbe?.httpGet?.path).toBe('/health/readiness')
      expect(container?.readinessProbe?.initialDelaySeconds ?? 0).toBe(0)
      expect(container?.livenessProbe?.httpGet?.path).toBe('/health/liveness')
      expect(container?.resources?.limits?.memory).toBeDefined()
      expect(container?.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 65532,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      })
      expect(container?.securityContext?.capabilities?.add).toBeUndefined()
    }
  )

  it.each(METRICS)(
    'should give px-%s its Pixie credentials and optional caller token from Secrets',
    (metric) => {
      const service = services().find((s) => s.metadata.name === `px-${metric}`) as KService
      const env = new Map(
        (service.spec.template.spec.containers[0]?.env ?? []).map((e) => [e.name, e])
      )
      expect(env.get('PX_API_KEY')?.valueFrom?.secretKeyRef).toEqual({
        name: 'px-credentials',
        key: 'px-api-key',
      })
      expect(env.get('PX_CLUSTER_ID')?.valueFrom?.secretKeyRef).toEqual({
        name: 'px-credentials',
        key: 'px-cluster-id',
      })
      expect(env.get('PX_CANARY_AUTH_TOKEN')?.valueFrom?.secretKeyRef).toEqual({
        name: 'px-canary-auth',
        key: 'token',
        optional: true,
      })
      // Knative reserves PORT and injects it itself.
      expect(env.has('PORT')).toBe(false)
      for (const e of env.values())
        expect(e.value === undefined || !/key|token|secret/i.test(e.name)).toBe(true)
    }
  )

  it('should apply into namespace px-canary with the Namespace and every Service listed', () => {
    const kustomization = parse(
      readFileSync(join(KNATIVE_BASE_DIR, 'kustomization.yaml'), 'utf8')
    ) as {
      namespace?: string
      resources?: string[]
    }
    expect(kustomization.namespace).toBe('px-canary')
    expect(kustomization.resources).toContain('namespace.yaml')
  })
})
