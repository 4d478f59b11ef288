import { describe, expect, it } from 'vitest'
import {
  ArgumentError,
  flattenTemplates,
  placeholdersIn,
  readFieldPath,
  resolveArgs,
  resolveRolloutArgs,
  substituteArgs,
} from './template'
import type { AnalysisTemplate, Metric } from './types'

const metric: Metric = {
  name: 'm',
  successCondition: 'result <= {{ args.max }}',
  provider: {
    web: {
      url: 'http://svc/?q={{args.q}}&hash={{args.canary-hash}}',
      headers: [{ key: 'Authorization', value: 'Bearer {{args.token}}' }],
      jsonPath: '{$.{{args.field}}}',
    },
  },
}

describe('substituteArgs', () => {
  it('should replace placeholders everywhere in the metric, spaces allowed', () => {
    const out = substituteArgs(metric, {
      max: '0.1',
      q: 'x',
      'canary-hash': 'abc123',
      token: 't0k',
      field: 'error_rate',
    })
    expect(out.successCondition).toBe('result <= 0.1')
    expect(out.provider.web?.url).toBe('http://svc/?q=x&hash=abc123')
    expect(out.provider.web?.headers?.[0]?.value).toBe('Bearer t0k')
    expect(out.provider.web?.jsonPath).toBe('{$.error_rate}')
  })

  it('should JSON-escape values and not URL-encode them', () => {
    const out = substituteArgs(metric, {
      max: '1',
      q: 'a b&c="d"\n',
      'canary-hash': 'h',
      token: 't',
      field: 'f',
    })
    expect(out.provider.web?.url).toBe('http://svc/?q=a b&c="d"\n&hash=h')
  })

  it('should resolve an arg in count, which Argo types as IntOrString', () => {
    // argoproj/argo-rollouts pkg/apis/rollouts/v1alpha1/analysis_types.go:
    // `Count *intstrutil.IntOrString`, so `count: '{{args.looks}}'` is a valid template and the
    // arg is substituted like any other string in the metric.
    const out = substituteArgs(
      { ...metric, count: '{{args.looks}}' },
      {
        max: '1',
        q: 'x',
        'canary-hash': 'h',
        token: 't',
        field: 'f',
        looks: '10',
      }
    )
    expect(out.count).toBe('10')
  })

  it('should fail on a placeholder with no such arg', () => {
    expect(() => substituteArgs(metric, { max: '1' })).toThrow(/failed to resolve \{\{args\.q\}\}/)
    expect(() => substituteArgs({ a: '{{templates.x}}' }, {})).toThrow(ArgumentError)
  })

  it('should list the placeholders a metric uses', () => {
    expect(placeholdersIn(metric).sort()).toEqual(['canary-hash', 'field', 'max', 'q', 'token'])
  })
})

describe('resolveArgs', () => {
  const declared = [
    { name: 'a', value: 'default-a' },
    { name: 'b' },
    { name: 'token', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
  ]

  it('should take template defaults, then incoming overrides, then secrets', () => {
    const { values, secrets } = resolveArgs(
      declared,
      [
        { name: 'b', value: 'from-rollout' },
        { name: 'ignored', value: 'x' },
      ],
      { secrets: { s: { k: 'sekret' } } }
    )
    expect(values).toEqual({ a: 'default-a', b: 'from-rollout', token: 'sekret' })
    expect(secrets).toEqual(['sekret'])
  })

  it('should let an incoming value override a template default', () => {
    const { values } = resolveArgs(
      declared,
      [
        { name: 'a', value: 'over' },
        { name: 'b', value: 'y' },
      ],
      {
        secrets: { s: { k: 'v' } },
      }
    )
    expect(values.a).toBe('over')
  })

  it('should fail for an arg without a value', () => {
    expect(() => resolveArgs(declared, [], { secrets: { s: { k: 'v' } } })).toThrow(
      'args.b was not resolved'
    )
  })

  it('should fail for a missing secret or key', () => {
    expect(() => resolveArgs(declared, [{ name: 'b', value: 'y' }], {})).toThrow(
      /secret "s" not found/
    )
    expect(() =>
      resolveArgs(declared, [{ name: 'b', value: 'y' }], { secrets: { s: {} } })
    ).toThrow(/key "k" not found/)
  })
})

describe('resolveRolloutArgs', () => {
  const rollout = { metadata: { name: 'canary-demo', namespace: 'shop', labels: { app: 'x' } } }

  it('should resolve podTemplateHashValue and fieldRef', () => {
    const out = resolveRolloutArgs(
      [
        { name: 'hash', valueFrom: { podTemplateHashValue: 'Latest' } },
        { name: 'stable', valueFrom: { podTemplateHashValue: 'Stable' } },
        { name: 'ns', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'app', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'plain', value: 'v' },
      ],
      { podTemplateHashes: { Latest: 'new1', Stable: 'old1' }, fieldRefObject: rollout }
    )
    expect(Object.fromEntries(out.map((a) => [a.name, a.value]))).toEqual({
      hash: 'new1',
      stable: 'old1',
      ns: 'shop',
      app: 'x',
      plain: 'v',
    })
  })

  it('should fail for a missing hash or field', () => {
    expect(() =>
      resolveRolloutArgs([{ name: 'h', valueFrom: { podTemplateHashValue: 'Stable' } }], {})
    ).toThrow(ArgumentError)
    expect(() => readFieldPath(rollout, 'status.currentPodHash')).toThrow(/not found/)
  })
})

describe('flattenTemplates', () => {
  const template = (name: string, args: AnalysisTemplate['spec']['args'], metrics: string[]) =>
    ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name },
      spec: { args, metrics: metrics.map((m) => ({ name: m, provider: { web: { url: 'x' } } })) },
    }) satisfies AnalysisTemplate

  it('should merge metrics and identical args', () => {
    const flat = flattenTemplates([
      template('a', [{ name: 'ns' }], ['m1']),
      template('b', [{ name: 'ns' }], ['m2']),
    ])
    expect(flat.metrics.map((m) => m.name)).toEqual(['m1', 'm2'])
    expect(flat.args).toEqual([{ name: 'ns' }])
  })

  it('should reject duplicate metric names and conflicting args', () => {
    expect(() => flattenTemplates([template('a', [], ['m']), template('b', [], ['m'])])).toThrow(
      /same name/
    )
    expect(() =>
      flattenTemplates([
        template('a', [{ name: 'x', value: '1' }], ['m1']),
        template('b', [{ name: 'x', value: '2' }], ['m2']),
      ])
    ).toThrow(/different values/)
  })
})
