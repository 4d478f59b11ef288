// knative/overlays/in-cluster: what it renders is what in-cluster mode needs. The Services' env
// is fed to the functions' own parser (shared/env.ts) with the mounted Secret's files, the Services
// validate against Knative's CRD schema, and the egress policy opens exactly Vizier's query broker
// port (pixie-io/pixie k8s/vizier/base/query_broker_service.yaml: port 50300) and cluster DNS.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseEnv } from '../../shared/env'
import { CrdValidator, loadCrdSchemas } from './crd-validator'
import { renderKustomization, type KubeObject } from './kustomize'
import { CRDS_DIR, HAS_CRDS, IN_CLUSTER_DIR, KNATIVE_DIR } from './repo'

interface EnvVar {
  name: string
  value?: string
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } }
}
interface KService extends KubeObject {
  spec: {
    template: {
      metadata: { labels: Record<string, string> }
      spec: {
        containers: Array<{
          env: EnvVar[]
          volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>
        }>
        volumes?: Array<{ name: string; secret?: { secretName: string } }>
      }
    }
  }
}

const objects = renderKustomization(IN_CLUSTER_DIR)
const services = objects.filter(
  (o) => o.apiVersion === 'serving.knative.dev/v1' && o.kind === 'Service'
) as KService[]

describe('knative/overlays/in-cluster', () => {
  it('should patch all three Services and add the egress policy', () => {
    expect(services.map((s) => s.metadata?.name).sort()).toEqual([
      'px-error-rate',
      'px-latency',
      'px-throughput',
    ])
    expect(objects.filter((o) => o.kind === 'NetworkPolicy')).toHaveLength(1)
  })

  it.each(services.map((s) => [s.metadata?.name, s] as const))(
    '%s should configure in-cluster mode from the mounted Secret px-canary-vizier',
    (_name, service) => {
      const spec = service.spec.template.spec
      const container = spec.containers[0]!
      const mount = container.volumeMounts?.find((m) => m.name === 'px-canary-vizier')
      expect(mount?.readOnly).toBe(true)
      expect(spec.volumes?.find((v) => v.name === 'px-canary-vizier')?.secret).toEqual({
        secretName: 'px-canary-vizier',
      })
      // The Secret's keys, as the copy command in knative/README.md names them.
      const files: Record<string, string> = {
        [`${mount!.mountPath}/jwt-signing-key`]: 'c0ffee'.repeat(20),
        [`${mount!.mountPath}/ca.crt`]:
          '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      }
      const env = Object.fromEntries(
        container.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value])
      )
      const config = parseEnv(env, (path) => {
        const text = files[path]
        if (text === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' })
        return text
      })
      expect(config.client).toMatchObject({
        mode: 'in-cluster',
        address: 'vizier-query-broker-svc.pl.svc:50300',
      })
      const names = container.env.map((e) => e.name)
      expect(names).not.toContain('PX_API_KEY')
      expect(names).not.toContain('PX_CLUSTER_ID')
      expect(container.env.find((e) => e.name === 'PX_CANARY_AUTH_TOKEN')?.valueFrom).toEqual({
        secretKeyRef: { name: 'px-canary-auth', key: 'token', optional: true },
      })
    }
  )

  it.skipIf(!HAS_CRDS)('should validate every Service against the Knative CRD, strictly', () => {
    const validator = new CrdValidator(loadCrdSchemas(CRDS_DIR))
    for (const service of services) {
      expect(validator.validate(service, 'lenient')).toEqual([])
      expect(validator.validate(service, 'strict')).toEqual([])
    }
  })

  it("should allow egress to the query broker's port in Pixie's namespace and to DNS only", () => {
    const policy = objects.find((o) => o.kind === 'NetworkPolicy') as KubeObject & {
      spec: {
        podSelector: { matchLabels: Record<string, string> }
        policyTypes: string[]
        egress: Array<{
          to: Array<{ namespaceSelector: { matchLabels: Record<string, string> } }>
          ports: Array<{ protocol: string; port: number }>
        }>
      }
    }
    expect(policy.apiVersion).toBe('networking.k8s.io/v1')
    expect(policy.metadata?.namespace).toBe('px-canary')
    expect(policy.spec.policyTypes).toEqual(['Egress'])
    // It selects the functions' pods.
    for (const service of services) {
      expect(service.spec.template.metadata.labels).toMatchObject(
        policy.spec.podSelector.matchLabels
      )
    }
    const rules = policy.spec.egress.map((rule) => ({
      namespace: rule.to[0]?.namespaceSelector.matchLabels['kubernetes.io/metadata.name'],
      ports: rule.ports.map((p) => `${p.protocol}/${p.port}`).sort(),
    }))
    expect(rules).toEqual([
      { namespace: 'pl', ports: ['TCP/50300'] },
      { namespace: 'kube-system', ports: ['TCP/53', 'UDP/53'] },
    ])
  })

  it('should be documented with the command that copies both Secret keys', () => {
    const readme = readFileSync(join(KNATIVE_DIR, 'README.md'), 'utf8')
    expect(readme).toContain('kubectl apply -k knative/overlays/in-cluster')
    expect(readme).toContain("-o jsonpath='{.data.jwt-signing-key}'")
    expect(readme).toContain("-o jsonpath='{.data.ca\\.crt}'")
    expect(readme).toMatch(/create secret generic px-canary-vizier/)
  })
})
