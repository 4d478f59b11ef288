import { describe, expect, it } from 'vitest'
import { CrdValidator, loadCrdSchemas } from './crd-validator'
import { allDocs, canaryDocs, CRDS_DIR, describeDoc, HAS_CRDS, knativeDocs } from './repo'

if (!HAS_CRDS) {
  console.warn(
    `[test/manifests] CRD schemas not found at ${CRDS_DIR}: schema validation skipped ` +
      '(set PX_CANARY_CRDS_DIR to the folder holding the upstream CRD YAML files)'
  )
}

/** Kinds that are not CRDs; core-kinds.test.ts checks them by hand. */
const CORE_KINDS = new Set(['v1 Service', 'v1 Namespace', 'v1 Secret'])

describe.skipIf(!HAS_CRDS)('manifests against the upstream CRD schemas', () => {
  const validator = HAS_CRDS ? new CrdValidator(loadCrdSchemas(CRDS_DIR)) : undefined
  const docs = allDocs()
  const crdDocs = docs.filter((d) => validator?.has(d.object))

  it('should only hold CRD kinds with a schema or core kinds checked by hand', () => {
    const unknown = docs
      .filter((d) => !validator?.has(d.object) && !CORE_KINDS.has(CrdValidator.keyOf(d.object)))
      .map(describeDoc)
    expect(unknown).toEqual([])
    expect(crdDocs.length).toBeGreaterThanOrEqual(3 + 1 + 4 + 4)
  })

  it.each(crdDocs.map((d) => [describeDoc(d), d] as const))(
    'should validate %s (lenient and strict)',
    (_name, doc) => {
      expect(validator?.validate(doc.object, 'lenient')).toEqual([])
      expect(validator?.validate(doc.object, 'strict')).toEqual([])
    }
  )

  it('should catch a misspelled field in the strict pass only', () => {
    const service = structuredClone(
      knativeDocs().find(
        (d) => d.object.kind === 'Service' && d.object.apiVersion === 'serving.knative.dev/v1'
      )
    )
    expect(service).toBeDefined()
    const spec = (service?.object.spec ?? {}) as {
      template: { spec: { containers: Array<Record<string, Record<string, unknown>>> } }
    }
    const container = spec.template.spec.containers[0] ?? {}
    const readiness = container.readinessProbe ?? {}
    readiness.httpGt = readiness.httpGet
    delete readiness.httpGet
    expect(validator?.validate(service?.object ?? {}, 'lenient')).toEqual([])
    expect(validator?.validate(service?.object ?? {}, 'strict').join('\n')).toMatch(/httpGt/)
  })

  it('should catch misspelled Argo fields in the strict pass', () => {
    const template = structuredClone(canaryDocs().find((d) => d.object.kind === 'AnalysisTemplate'))
    const metrics = (template?.object.spec as { metrics: Array<Record<string, unknown>> }).metrics
    const metric = metrics[0] ?? {}
    metric.sucessCondition = metric.successCondition
    delete metric.successCondition
    expect(validator?.validate(template?.object ?? {}, 'strict').join('\n')).toMatch(
      /sucessCondition/
    )

    const rollout = structuredClone(canaryDocs().find((d) => d.object.kind === 'Rollout'))
    const canary = (rollout?.object.spec as { strategy: { canary: Record<string, unknown> } })
      .strategy.canary
    canary.setps = canary.steps
    delete canary.steps
    expect(validator?.validate(rollout?.object ?? {}, 'strict').join('\n')).toMatch(/setps/)
  })

  it('should catch a type error in the lenient pass', () => {
    const template = structuredClone(canaryDocs().find((d) => d.object.kind === 'AnalysisTemplate'))
    const metrics = (
      template?.object.spec as { metrics: Array<{ provider: { web: Record<string, unknown> } }> }
    ).metrics
    const web = metrics[0]?.provider.web ?? {}
    web.timeoutSeconds = '20'
    expect(validator?.validate(template?.object ?? {}, 'lenient').join('\n')).toMatch(
      /timeoutSeconds: must be integer/
    )
  })
})
