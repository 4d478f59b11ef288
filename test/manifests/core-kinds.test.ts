// Core Kubernetes kinds (Namespace, Service, Secret) are not CRDs, so there is no schema file to
// validate them against: these hand checks cover what matters for this project.
import { describe, expect, it } from 'vitest'
import { findRollout } from '../argo-emulator/manifests'
import { allDocs, canaryDocs, describeDoc, knativeDocs } from './repo'

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

interface ServicePort {
  name?: string
  port?: unknown
  targetPort?: unknown
  protocol?: string
}

const coreServices = () =>
  canaryDocs().filter((d) => d.object.apiVersion === 'v1' && d.object.kind === 'Service')

describe('core kinds', () => {
  it('should give every core object apiVersion v1, a kind and a DNS-1123 name', () => {
    const core = allDocs().filter((d) => d.object.apiVersion === 'v1')
    expect(core.length).toBeGreaterThan(0)
    for (const doc of core) {
      expect(['Namespace', 'Service', 'Secret'], describeDoc(doc)).toContain(doc.object.kind)
      expect(doc.object.metadata?.name ?? '', describeDoc(doc)).toMatch(DNS_LABEL)
    }
  })

  it('should define the px-canary Namespace, cluster-scoped', () => {
    const namespaces = knativeDocs().filter((d) => d.object.kind === 'Namespace')
    expect(namespaces.map((d) => d.object.metadata?.name)).toEqual(['px-canary'])
    expect(namespaces[0]?.object.metadata?.namespace).toBeUndefined()
  })

  it('should never ship a Secret with a value', () => {
    const secrets = allDocs().filter((d) => d.object.kind === 'Secret')
    for (const secret of secrets) {
      expect(secret.object.data ?? secret.object.stringData, describeDoc(secret)).toBeUndefined()
    }
  })

  it('should give every Service valid ports that reach a container port of the Rollout', () => {
    const rollout = findRollout(canaryDocs())
    const template = rollout.spec.template as {
      spec: { containers: Array<{ ports?: Array<{ name?: string; containerPort: number }> }> }
    }
    const containerPorts = template.spec.containers.flatMap((c) => c.ports ?? [])
    for (const doc of coreServices()) {
      const ports = (doc.object.spec as { ports?: ServicePort[] }).ports ?? []
      expect(ports.length, describeDoc(doc)).toBeGreaterThan(0)
      for (const port of ports) {
        expect(
          Number.isInteger(port.port) && (port.port as number) > 0 && (port.port as number) < 65536
        ).toBe(true)
        const target = port.targetPort ?? port.port
        const reached = containerPorts.some((p) =>
          typeof target === 'string' ? p.name === target : p.containerPort === target
        )
        expect(reached, `${describeDoc(doc)} targetPort ${String(target)}`).toBe(true)
      }
    }
  })

  it("should select the Rollout's pods with every Service the Rollout names", () => {
    const rollout = findRollout(canaryDocs())
    const podLabels = (rollout.spec.template as { metadata: { labels: Record<string, string> } })
      .metadata.labels
    const canary = rollout.spec.strategy.canary as {
      canaryService?: string
      stableService?: string
    }
    const byName = new Map(coreServices().map((d) => [d.object.metadata?.name, d]))
    for (const name of [canary.canaryService, canary.stableService]) {
      expect(name).toBeDefined()
      const service = byName.get(name)
      expect(service, `Service ${name} named by the Rollout`).toBeDefined()
      const selector =
        (service?.object.spec as { selector?: Record<string, string> }).selector ?? {}
      expect(Object.keys(selector).length).toBeGreaterThan(0)
      for (const [key, value] of Object.entries(selector)) expect(podLabels[key]).toBe(value)
    }
    const matchLabels = (rollout.spec.selector as { matchLabels: Record<string, string> })
      .matchLabels
    for (const [key, value] of Object.entries(matchLabels)) expect(podLabels[key]).toBe(value)
  })
})
