// In-cluster mode end to end: the BUNDLED functions (node dist/<fn>.mjs) reach the simulator's
// Vizier front door over TLS with a service JWT they minted from a mounted signing key, trusting a
// mounted CA, exactly as they would reach vizier-query-broker-svc in a cluster.
//
// The broker side is the simulator's restatement of Vizier (simulator/front-door/, with sources:
// pixie-io/pixie src/shared/services/server/grpc_server.go createGRPCAuthFunc for the refusals,
// src/utils/shared/certs/certs.go for the certificate's names, src/experimental/standalone_pem/
// vizier_server.h for the standalone PEM). The functions mint with the real clock, so the
// simulator's frozen clock is set near it; token refresh over an emulated clock is covered in
// shared/pixie/service-token.test.ts and shared/pixie/in-cluster.test.ts.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../simulator/server'
import {
  generateVizierCertificates,
  type VizierCertificates,
} from '../../simulator/front-door/certs'
import { runBundleToExit } from '../helpers/spawn'
import { ROOT, startFunction, type FunctionName, type RunningFunction } from './helpers/functions'
import { groundTruth } from './helpers/ground-truth'

const QB_NAME = 'vizier-query-broker-svc.pl.svc'
const CANARY = 'canary-demo-6c8d4b9f7'
const KEY = randomBytes(64).toString('hex')
const WRONG_KEY = randomBytes(64).toString('hex')

const certs: VizierCertificates | undefined = generateVizierCertificates('pl')
const otherCa: VizierCertificates | undefined = generateVizierCertificates('pl')

describe.skipIf(certs === undefined || otherCa === undefined)('e2e: in-cluster mode', () => {
  /** The broker's frozen clock (ns): near the real one the functions mint tokens with. */
  let brokerNs = 0n
  let sim: Simulator
  let wrongAudience: Simulator
  let dir: string
  const started: RunningFunction[] = []

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'px-canary-in-cluster-'))
    writeFileSync(join(dir, 'jwt-signing-key'), KEY)
    writeFileSync(join(dir, 'wrong-key'), WRONG_KEY)
    writeFileSync(join(dir, 'ca.crt'), certs!.caCert)
    writeFileSync(join(dir, 'other-ca.crt'), otherCa!.caCert)
    brokerNs = BigInt(Date.now()) * 1_000_000n
    const vizier = { tls: { cert: certs!.serverCert, key: certs!.serverKey }, jwtSigningKey: KEY }
    sim = await startSimulator({
      scenario: join(ROOT, 'scenarios', 'demo.json'),
      port: 0,
      clock: () => brokerNs,
      vizier,
    })
    wrongAudience = await startSimulator({
      scenario: join(ROOT, 'scenarios', 'demo.json'),
      port: 0,
      vizier: { ...vizier, audience: 'withpixie.ai' },
    })
  })
  afterAll(async () => {
    await Promise.all(started.map((f) => f.close()))
    await sim?.close()
    await wrongAudience?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  function inClusterEnv(target: Simulator, extra: Record<string, string> = {}) {
    return {
      PX_VIZIER_ADDR: `localhost:${target.port}`,
      PX_JWT_SIGNING_KEY_FILE: join(dir, 'jwt-signing-key'),
      PX_VIZIER_CA_FILE: join(dir, 'ca.crt'),
      ...extra,
    }
  }

  async function start(name: FunctionName, env: Record<string, string>) {
    // startFunction sets PX_DIRECT_ADDR; an empty value reads as unset.
    const fn = await startFunction(name, '', env)
    started.push(fn)
    return fn
  }

  /** Neither signing key appears in anything the function wrote or answered. */
  function expectNoKey(fn: RunningFunction, body: unknown): void {
    for (const text of [fn.stdout(), fn.stderr(), JSON.stringify(body)]) {
      expect(text).not.toContain(KEY)
      expect(text).not.toContain(WRONG_KEY)
    }
  }

  it("should answer the demo scenario's figures through each bundled function", async () => {
    const truth = groundTruth(sim.world, {
      namespace: 'default',
      selector: { replicaset: CANARY },
      nowNs: brokerNs,
      windowSeconds: 60,
    })
    const before = sim.stats.unauthenticatedCalls
    const fns = await Promise.all(
      (['error-rate', 'latency', 'throughput'] as const).map((n) => start(n, inClusterEnv(sim)))
    )
    const answers = await Promise.all(
      fns.map((f) => f.get(`/?namespace=default&replicaset=${CANARY}`))
    )
    const [er, lat, tp] = answers as [(typeof answers)[0], (typeof answers)[0], (typeof answers)[0]]
    for (const [i, fn] of fns.entries()) {
      const r = answers[i]!
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      expect(r.body.requests).toBe(truth.requests)
      expect(fn.lines().find((l) => l.msg === 'listening')).toMatchObject({
        pixie_mode: 'in-cluster',
      })
      expectNoKey(fn, r.body)
    }
    expect(truth.requests).toBeGreaterThan(100)
    expect(er.body.errors).toBe(truth.errors)
    expect(er.body.error_rate as number).toBeCloseTo(truth.errorRate!, 9)
    expect(tp.body.rps as number).toBeCloseTo(truth.rps!, 9)
    expect(
      Math.abs(((lat.body.latency_ms as Record<string, number>).mean ?? NaN) - truth.meanMs!)
    ).toBeLessThan(0.002)
    expect(sim.stats.unauthenticatedCalls).toBe(before)
  })

  it('should answer 502 pixie_unauthenticated naming the Secret for a wrong signing key', async () => {
    const fn = await start(
      'error-rate',
      inClusterEnv(sim, { PX_JWT_SIGNING_KEY_FILE: join(dir, 'wrong-key') })
    )
    const before = sim.stats.unauthenticatedCalls
    const r = await fn.get(`/?namespace=default&replicaset=${CANARY}`)
    expect(r.status).toBe(502)
    const error = r.body.error as { code: string; message: string }
    expect(error.code).toBe('pixie_unauthenticated')
    expect(error.message).toContain('invalid auth token')
    expect(error.message).toContain('failed to match hmac signature')
    expect(error.message).toContain('jwt-signing-key of Secret pl-cluster-secrets')
    // Re-minted and retried once, no more.
    expect(sim.stats.unauthenticatedCalls - before).toBe(2)
    expectNoKey(fn, r.body)
  })

  it('should answer 502 pixie_unauthenticated mentioning the clock when the broker finds the token expired', async () => {
    const fn = await start('latency', inClusterEnv(sim))
    const saved = brokerNs
    brokerNs += 3600n * 1_000_000_000n
    try {
      const r = await fn.get(`/?namespace=default&replicaset=${CANARY}`)
      expect(r.status).toBe(502)
      const error = r.body.error as { code: string; message: string }
      expect(error.code).toBe('pixie_unauthenticated')
      expect(error.message).toContain('invalid auth token: exp not satisfied')
      expect(error.message).toContain('clock')
      expectNoKey(fn, r.body)
    } finally {
      brokerNs = saved
    }
    expect((await fn.get(`/?namespace=default&replicaset=${CANARY}`)).status).toBe(200)
  })

  it('should answer 502 pixie_unauthenticated for a broker expecting another audience', async () => {
    const fn = await start('throughput', inClusterEnv(wrongAudience))
    const r = await fn.get(`/?namespace=default&replicaset=${CANARY}`)
    expect(r.status).toBe(502)
    expect(r.body.error).toMatchObject({
      code: 'pixie_unauthenticated',
      message: expect.stringContaining('aud not satisfied'),
    })
  })

  it('should answer 502 pixie_transport_error saying to mount ca.crt for a CA that is not the cluster’s', async () => {
    const fn = await start(
      'throughput',
      inClusterEnv(sim, { PX_VIZIER_CA_FILE: join(dir, 'other-ca.crt') })
    )
    const r = await fn.get(`/?namespace=default&replicaset=${CANARY}`)
    expect(r.status).toBe(502)
    expect(r.body.error).toMatchObject({
      code: 'pixie_transport_error',
      message: expect.stringContaining('ca.crt of Secret service-tls-certs'),
    })
  })

  it('should reach the broker by IP with the Service name as server name', async () => {
    const fn = await start(
      'throughput',
      inClusterEnv(sim, {
        PX_VIZIER_ADDR: `127.0.0.1:${sim.port}`,
        PX_VIZIER_SERVER_NAME: QB_NAME,
      })
    )
    expect((await fn.get(`/?namespace=default&replicaset=${CANARY}`)).status).toBe(200)
  })

  it('should refuse to start, in one line, when the in-cluster settings are incomplete', async () => {
    const run = await runBundleToExit('error-rate', {
      PORT: '0',
      PX_VIZIER_ADDR: `127.0.0.1:${sim.port}`,
      PX_JWT_SIGNING_KEY_FILE: join(dir, 'jwt-signing-key'),
    })
    expect(run.code).toBe(1)
    const line = run.lines.find((l) => l.msg === 'invalid configuration')
    expect(line?.problems).toEqual([
      expect.stringContaining('PX_VIZIER_CA_FILE is required with PX_VIZIER_ADDR'),
      expect.stringContaining('PX_VIZIER_SERVER_NAME is required'),
    ])
    expect(run.stdout + run.stderr).not.toContain(KEY)
  })
})

describe('e2e: a standalone PEM through development mode', () => {
  let pem: Simulator
  let fn: RunningFunction | undefined
  beforeAll(async () => {
    pem = await startSimulator({
      scenario: join(ROOT, 'scenarios', 'demo.json'),
      port: 0,
      standalonePem: true,
    })
  })
  afterAll(async () => {
    await fn?.close()
    await pem?.close()
  })

  it('should answer 502 pixie_standalone_pem saying what to point at instead', async () => {
    fn = await startFunction('error-rate', pem.address)
    const r = await fn.get(`/?namespace=default&replicaset=${CANARY}`)
    expect(r.status).toBe(502)
    expect(r.body.error).toMatchObject({
      code: 'pixie_standalone_pem',
      message: expect.stringMatching(/cannot serve px-canary.*PX_VIZIER_ADDR.*Pixie Cloud/),
    })
  })
})
