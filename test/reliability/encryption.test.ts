// End-to-end encryption through a spawned function bundle (PX_E2E_ENCRYPTION=1, direct mode):
// the function sends its public key, Vizier (the double, then the simulator) encrypts every row
// batch for it, and only a batch that decrypts gives a figure. One that does not is a 502
// pixie_decryption_failed, never a number.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateE2eKeyPair } from '../../shared/pixie/encryption'
import { encryptRowBatch } from '../../simulator/vizier-wire/batch-encryption'
import type { ExecuteScriptResponse } from '../../shared/pixie/gen/vizierapi_pb'
import { getJson, statsTableSpec } from '../helpers/bundle-fixtures'
import { runBundleToExit, startBundle } from '../helpers/spawn'
import type { RunningBundle } from '../helpers/spawn'
import { startSimulator } from '../../simulator'
import type { Simulator } from '../../simulator'
import { answerInClear, startVizierDouble } from '../vizier-double'
import type { VizierBehaviour, VizierDouble } from '../vizier-double'
import { respondWithStats } from './helpers'

const ROOT = join(import.meta.dirname, '..', '..')
const QUERY = '/?namespace=default&replicaset=canary-demo-7d9f8c6b5'
// The first encrypted call generates the RSA-4096 key pair: allow for a slow, shared machine.
const SLOW = { timeoutMs: 25_000 }

/** Replaces every encrypted batch of a behaviour's answer by whatever `tamper` makes of it. */
function tampered(
  behaviour: VizierBehaviour,
  tamper: (message: ExecuteScriptResponse) => Promise<void> | void
): VizierBehaviour {
  return async function* (call) {
    for await (const action of behaviour(call)) {
      const message = action as ExecuteScriptResponse
      if (message.result?.case === 'data' && message.result.value.encryptedBatch.length > 0) {
        await tamper(message)
      }
      yield action
    }
  }
}

/** Flips one character of the JWE's ciphertext, leaving its structure intact. */
function flipCiphertext(message: ExecuteScriptResponse): void {
  if (message.result.case !== 'data') return
  const parts = new TextDecoder().decode(message.result.value.encryptedBatch).split('.')
  const ciphertext = parts[3]!
  const flipped = ciphertext[0] === 'A' ? 'B' : 'A'
  parts[3] = flipped + ciphertext.slice(1)
  message.result.value.encryptedBatch = new TextEncoder().encode(parts.join('.'))
}

describe('E2E encryption through a spawned bundle and the Vizier double', () => {
  let double: VizierDouble
  let fn: RunningBundle

  beforeAll(async () => {
    double = await startVizierDouble(respondWithStats({ requests: 200, errors: 10 }))
    fn = await startBundle('error-rate', {
      PX_DIRECT_ADDR: double.address,
      PX_E2E_ENCRYPTION: '1',
    })
  })

  afterAll(async () => {
    await fn?.stop('SIGKILL')
    await double?.close()
  })

  it('should say at startup that encryption is on', () => {
    const listening = fn.lines().find((l) => l.msg === 'listening')
    expect(listening).toMatchObject({ pixie_mode: 'direct', e2e_encryption: true })
  })

  it('should send its public key and answer the figure from batches encrypted for it', async () => {
    // encrypt: true makes the double refuse a request without a key rather than answer in clear.
    double.setBehaviour(respondWithStats({ requests: 200, errors: 10 }, { encrypt: true }))
    const { status, body } = await getJson(`${fn.url}${QUERY}`, SLOW)
    expect(status, JSON.stringify(body)).toBe(200)
    expect(body).toMatchObject({ error_rate: 10 / 200, requests: 200, errors: 10 })
    const options = double.requests.at(-1)!.request.encryptionOptions
    expect(options).toMatchObject({ keyAlg: 'RSA-OAEP-256', contentAlg: 'A256GCM' })
    expect(JSON.parse(options!.jwkKey)).toMatchObject({ kty: 'RSA' })
    expect(JSON.parse(options!.jwkKey)).not.toHaveProperty('d')
  })

  it('should keep one key pair for its life (the key is not regenerated per call)', async () => {
    const before = double.requests.length
    const { status } = await getJson(`${fn.url}${QUERY}&window=5m`, SLOW)
    expect(status).toBe(200)
    const keys = new Set(
      double.requests.slice(before - 1).map((r) => r.request.encryptionOptions?.jwkKey)
    )
    expect(keys.size).toBe(1)
  })

  it('should answer 502 pixie_decryption_failed, never a number, for a tampered batch', async () => {
    double.setBehaviour(
      tampered(respondWithStats({ requests: 200, errors: 0 }, { encrypt: true }), flipCiphertext)
    )
    const { status, body } = await getJson(`${fn.url}${QUERY}`, SLOW)
    expect(status).toBe(502)
    expect(body.error.code).toBe('pixie_decryption_failed')
    expect(body).not.toHaveProperty('value')
    expect(body).not.toHaveProperty('error_rate')
  })

  it('should answer 502 pixie_decryption_failed for a batch encrypted for another key', async () => {
    const stranger = await generateE2eKeyPair(2048)
    double.setBehaviour(async function* (call) {
      for await (const action of respondWithStats(
        { requests: 50, errors: 0 },
        { encrypt: false }
      )(call)) {
        const message = action as ExecuteScriptResponse
        if (message.result?.case === 'data' && message.result.value.batch) {
          message.result.value.encryptedBatch = await encryptRowBatch(
            message.result.value.batch,
            stranger.publicJwk
          )
          message.result.value.batch = undefined
        }
        yield action
      }
    })
    const { status, body } = await getJson(`${fn.url}${QUERY}`, SLOW)
    expect(status).toBe(502)
    expect(body.error.code).toBe('pixie_decryption_failed')
    expect(body).not.toHaveProperty('value')
  })

  it('should answer 502 pixie_decryption_failed for a batch in the clear though a key was sent', async () => {
    double.setBehaviour(answerInClear(statsTableSpec({ requests: 50, errors: 0 })))
    const { status, body } = await getJson(`${fn.url}${QUERY}`, SLOW)
    expect(double.requests.at(-1)!.request.encryptionOptions?.jwkKey).toContain('RSA')
    expect(status).toBe(502)
    expect(body.error.code).toBe('pixie_decryption_failed')
    expect(body).not.toHaveProperty('error_rate')
  })
})

describe('E2E encryption configuration', () => {
  it('should refuse a PX_E2E_ENCRYPTION value it does not know, exiting 1', async () => {
    const exit = await runBundleToExit('latency', {
      PORT: '0',
      PX_DIRECT_ADDR: '127.0.0.1:1',
      PX_E2E_ENCRYPTION: 'yes please',
    })
    expect(exit.code).toBe(1)
    expect(JSON.stringify(exit.lines)).toMatch(/PX_E2E_ENCRYPTION must be 1 or 0/)
  })

  it('should refuse to turn encryption off with Pixie Cloud', async () => {
    const exit = await runBundleToExit('latency', {
      PORT: '0',
      PX_API_KEY: 'px-api-0123456789abcdef',
      PX_CLUSTER_ID: '01234567-89ab-cdef-0123-456789abcdef',
      PX_E2E_ENCRYPTION: '0',
    })
    expect(exit.code).toBe(1)
    expect(JSON.stringify(exit.lines)).toMatch(/refused with Pixie Cloud/)
    expect(JSON.stringify(exit.lines)).not.toContain('px-api-0123456789abcdef')
  })
})

describe('E2E encryption against the simulator', () => {
  let sim: Simulator
  let encrypted: RunningBundle
  let plain: RunningBundle
  // A frozen "now", so both functions measure exactly the same window.
  const clock = () => 1_800_000_000_500_000_000n

  beforeAll(async () => {
    sim = await startSimulator({
      scenario: join(ROOT, 'scenarios', 'demo.json'),
      port: 0,
      clock,
      encrypt: true,
      onWarning: () => {},
    })
    ;[encrypted, plain] = await Promise.all([
      startBundle('error-rate', { PX_DIRECT_ADDR: sim.address, PX_E2E_ENCRYPTION: '1' }),
      startBundle('error-rate', { PX_DIRECT_ADDR: sim.address }),
    ])
  })

  afterAll(async () => {
    await encrypted?.stop('SIGKILL')
    await plain?.stop('SIGKILL')
    await sim?.close()
  })

  it('should measure through encrypted batches exactly what it measures in clear', async () => {
    const viaEncryption = await getJson(`${encrypted.url}${QUERY}`, SLOW)
    const inClear = await getJson(`${plain.url}${QUERY}`, SLOW)
    expect(viaEncryption.status, JSON.stringify(viaEncryption.body)).toBe(200)
    expect(inClear.status).toBe(200)
    expect(viaEncryption.body.requests).toBeGreaterThan(0)
    expect(viaEncryption.body).toEqual(inClear.body)
    const asked = sim.requests.map((r) => r.encryptionRequested).sort()
    expect(asked).toEqual([false, true])
  })
})
