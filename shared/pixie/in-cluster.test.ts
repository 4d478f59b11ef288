// In-cluster mode of the client against the simulator's Vizier front door over real TLS + HTTP/2,
// with one emulated clock shared by the client's token minting and the broker's token check.
//
// The broker's behaviour is the simulator's restatement of Vizier (simulator/front-door/auth.ts
// and server.ts): TLS with a certificate naming `*.<ns>.svc` and no IP (pixie-io/pixie
// src/utils/shared/certs/certs.go), UNAUTHENTICATED "invalid auth token: ..." on a refused JWT
// (pixie-io/pixie src/shared/services/server/grpc_server.go), and the standalone PEM's compile
// error for a script that outputs only through exec_funcs (pixie-io/pixie
// src/experimental/standalone_pem/vizier_server.h; src/carnot/planner/compiler/compiler.cc).
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HTTP_STATS_TABLE } from '../pxl/http-stats'
import { startSimulator, type Simulator } from '../../simulator/server'
import { webScenario, webStatsCall } from '../../test/helpers/web-scenario'
import {
  generateVizierCertificates,
  type VizierCertificates,
} from '../../simulator/front-door/certs'
import { createVizierClient, type InClusterVizierClientOptions } from './client'
import { errorOf as failure } from '../../test/helpers/code-of'

const T0_MS = 1_800_000_000_000
const KEY = randomBytes(64).toString('hex')
const QB_NAME = 'vizier-query-broker-svc.pl.svc'

const scenario = webScenario('in-cluster-test', 5, { '200': 1 })

const call = webStatsCall('in-cluster-test').options

const certs: VizierCertificates | undefined = generateVizierCertificates('pl')
const otherCa: VizierCertificates | undefined = generateVizierCertificates('pl')

describe.skipIf(certs === undefined || otherCa === undefined)('in-cluster mode', () => {
  /** Client and broker clocks, in ms since the epoch; the broker may run ahead. */
  const clocks = { client: T0_MS, broker: T0_MS }
  let sim: Simulator
  let wrongAudience: Simulator

  const start = (audience?: string) =>
    startSimulator({
      scenario,
      port: 0,
      clock: () => BigInt(clocks.broker) * 1_000_000n,
      vizier: {
        tls: { cert: certs!.serverCert, key: certs!.serverKey },
        jwtSigningKey: KEY,
        ...(audience ? { audience } : {}),
      },
      onWarning: () => {},
    })

  beforeAll(async () => {
    sim = await start()
    wrongAudience = await start('another-audience')
  })
  afterAll(async () => {
    await sim?.close()
    await wrongAudience?.close()
  })

  function client(overrides: Partial<InClusterVizierClientOptions> = {}, target = sim) {
    return createVizierClient({
      mode: 'in-cluster',
      address: `localhost:${target.port}`,
      jwtSigningKey: KEY,
      ca: certs!.caCert,
      now: () => clocks.client,
      defaultTimeoutMs: 10_000,
      ...overrides,
    })
  }

  it('should run the script over TLS with a service JWT the broker verified', async () => {
    clocks.client = clocks.broker = T0_MS
    sim.resetStats()
    const c = client()
    try {
      const result = await c.executeScript(call)
      expect(result.tables.get(HTTP_STATS_TABLE)?.rows.length).toBeGreaterThan(0)
      expect(sim.stats.unauthenticatedCalls).toBe(0)
      expect(sim.stats.executeScriptCalls).toBe(1)
    } finally {
      await c.close()
    }
  })

  it('should keep answering across token expiry: refreshed ahead of time, or re-minted once when refused', async () => {
    clocks.client = clocks.broker = T0_MS
    sim.resetStats()
    const c = client()
    try {
      await c.executeScript(call)
      // Well past the first token's 10 minutes: a fresh token is minted before the call.
      clocks.client = clocks.broker = T0_MS + 11 * 60_000
      await c.executeScript(call)
      expect(sim.stats.unauthenticatedCalls).toBe(0)
      // The broker's clock runs ahead past the cached token's exp: refused once, re-minted, OK.
      clocks.client += 5 * 60_000
      clocks.broker = clocks.client + 6 * 60_000
      const result = await c.executeScript(call)
      expect(result.tables.get(HTTP_STATS_TABLE)?.rows.length).toBeGreaterThan(0)
      expect(sim.stats.unauthenticatedCalls).toBe(1)
      expect(sim.stats.executeScriptCalls).toBe(3)
    } finally {
      await c.close()
    }
  })

  it('should answer pixie_unauthenticated, retried once, saying what to check, for a wrong key', async () => {
    clocks.client = clocks.broker = T0_MS
    sim.resetStats()
    const wrongKey = randomBytes(64).toString('hex')
    const c = client({ jwtSigningKey: wrongKey })
    try {
      const err = await failure(c.executeScript(call))
      expect(err.code).toBe('pixie_unauthenticated')
      expect(err.message).toContain('failed to match hmac signature')
      expect(err.message).toContain('pl-cluster-secrets')
      expect(err.message).toContain('clock')
      expect(err.message).not.toContain(wrongKey)
      expect(sim.stats.unauthenticatedCalls).toBe(2)
    } finally {
      await c.close()
    }
  })

  it('should answer pixie_unauthenticated for a broker expecting another audience', async () => {
    clocks.client = clocks.broker = T0_MS
    const c = client({}, wrongAudience)
    try {
      const err = await failure(c.executeScript(call))
      expect(err.code).toBe('pixie_unauthenticated')
      expect(err.message).toContain('invalid auth token: aud not satisfied')
    } finally {
      await c.close()
    }
  })

  it('should answer pixie_transport_error pointing at ca.crt when the CA is not the cluster’s', async () => {
    const c = client({ ca: otherCa!.caCert })
    try {
      const err = await failure(c.executeScript(call))
      expect(err.code).toBe('pixie_transport_error')
      expect(err.message).toContain('ca.crt of Secret service-tls-certs')
    } finally {
      await c.close()
    }
  })

  it("should need the Service name for an IP address (Pixie's certificate names no IP)", async () => {
    clocks.client = clocks.broker = T0_MS
    const byIp = client({ address: `127.0.0.1:${sim.port}` })
    const named = client({ address: `127.0.0.1:${sim.port}`, serverName: QB_NAME })
    try {
      const err = await failure(byIp.executeScript(call))
      expect(err.code).toBe('pixie_transport_error')
      expect(err.message).toContain('vizier-query-broker-svc.<namespace>.svc')
      const result = await named.executeScript(call)
      expect(result.tables.get(HTTP_STATS_TABLE)?.rows.length).toBeGreaterThan(0)
    } finally {
      await byIp.close()
      await named.close()
    }
  })

  it('should connect without verification only when asked to (insecureSkipVerify)', async () => {
    clocks.client = clocks.broker = T0_MS
    const { ca: _ca, ...rest } = {
      mode: 'in-cluster' as const,
      address: `127.0.0.1:${sim.port}`,
      jwtSigningKey: KEY,
      ca: undefined,
    }
    expect(() => createVizierClient(rest)).toThrow(/cluster CA/)
    const c = client({ address: `127.0.0.1:${sim.port}`, insecureSkipVerify: true })
    try {
      expect((await c.executeScript(call)).tables.size).toBeGreaterThan(0)
    } finally {
      await c.close()
    }
  })
})

describe('a standalone PEM', () => {
  let pem: Simulator
  beforeAll(async () => {
    pem = await startSimulator({ scenario, port: 0, standalonePem: true, onWarning: () => {} })
  })
  afterAll(async () => {
    await pem?.close()
  })

  it('should answer pixie_standalone_pem saying it cannot serve px-canary and what to use', async () => {
    const c = createVizierClient({ mode: 'direct', address: pem.address })
    try {
      const err = await failure(c.executeScript(call))
      expect(err.code).toBe('pixie_standalone_pem')
      expect(err.message).toContain('query does not output a result')
      expect(err.message).toContain('cannot serve px-canary')
      expect(err.message).toContain('PX_VIZIER_ADDR')
    } finally {
      await c.close()
    }
  })
})
