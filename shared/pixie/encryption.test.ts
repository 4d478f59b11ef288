import { beforeAll, describe, expect, it } from 'vitest'
import { create } from '@bufbuild/protobuf'
import { CompactEncrypt, importJWK } from 'jose'
import { PxCanaryError } from '../errors'
import { RowBatchDataSchema } from './gen/vizierapi_pb'
import { decryptRowBatch, generateE2eKeyPair, lazyE2eKeyPair } from './encryption'
import type { E2eKeyPair } from './encryption'
import { encodeColumn } from '../../simulator/vizier-wire/row-batch'
import { encryptRowBatch } from '../../simulator/vizier-wire/batch-encryption'
import { decodeColumn } from './values'

// 2048 bits keeps the unit tests quick; the client itself always uses 4096.
let key: E2eKeyPair
let other: E2eKeyPair
beforeAll(async () => {
  ;[key, other] = await Promise.all([generateE2eKeyPair(2048), generateE2eKeyPair(2048)])
})

const batch = create(RowBatchDataSchema, {
  tableId: 't1',
  numRows: 2n,
  eos: true,
  eow: true,
  cols: [
    encodeColumn('STRING', ['a', 'ü']),
    encodeColumn('TIME64NS', [1_700_000_000_000_000_001n, 2n]),
  ],
})

async function rejection(promise: Promise<unknown>): Promise<PxCanaryError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(err).toBeInstanceOf(PxCanaryError)
  return err as PxCanaryError
}

describe('E2E encryption', () => {
  it('should publish a public RSA JWK without private parts', () => {
    const jwk = JSON.parse(key.publicJwk) as Record<string, unknown>
    expect(jwk.kty).toBe('RSA')
    expect(jwk.e).toBe('AQAB')
    expect(jwk.d).toBeUndefined()
  })

  it('should decrypt what encryptRowBatch encrypted, compressed (zip DEF) by default', async () => {
    const jwe = await encryptRowBatch(batch, key.publicJwk)
    const header = JSON.parse(
      Buffer.from(new TextDecoder().decode(jwe).split('.')[0]!, 'base64url').toString()
    )
    expect(header).toEqual({ alg: 'RSA-OAEP-256', enc: 'A256GCM', zip: 'DEF' })
    const back = await decryptRowBatch(jwe, key.privateKey)
    expect(back.tableId).toBe('t1')
    expect(back.eos).toBe(true)
    expect(decodeColumn(back.cols[1]!)).toEqual([1_700_000_000_000_000_001n, 2n])
  })

  it('should decrypt a batch larger than jose’s default decompression limit', async () => {
    const big = create(RowBatchDataSchema, {
      tableId: 'big',
      numRows: 2000n,
      cols: [
        encodeColumn(
          'STRING',
          Array.from({ length: 2000 }, (_, i) => `${i}`.padEnd(400, 'x'))
        ),
      ],
    })
    const back = await decryptRowBatch(await encryptRowBatch(big, key.publicJwk), key.privateKey)
    expect(back.numRows).toBe(2000n)
  })

  it('should accept an uncompressed batch', async () => {
    const jwe = await encryptRowBatch(batch, key.publicJwk, { compression: false })
    expect((await decryptRowBatch(jwe, key.privateKey)).numRows).toBe(2n)
  })

  it('should refuse a tampered batch', async () => {
    const parts = new TextDecoder().decode(await encryptRowBatch(batch, key.publicJwk)).split('.')
    const ciphertext = Buffer.from(parts[3]!, 'base64url')
    ciphertext[0] = ciphertext[0]! ^ 0xff
    parts[3] = ciphertext.toString('base64url')
    const err = await rejection(
      decryptRowBatch(new TextEncoder().encode(parts.join('.')), key.privateKey)
    )
    expect(err.code).toBe('pixie_decryption_failed')
  })

  it('should refuse a batch encrypted for another key', async () => {
    const err = await rejection(
      decryptRowBatch(await encryptRowBatch(batch, other.publicJwk), key.privateKey)
    )
    expect(err.code).toBe('pixie_decryption_failed')
  })

  it('should refuse a batch using an algorithm outside the allow-list', async () => {
    const publicKey = await importJWK(
      JSON.parse(key.publicJwk) as Record<string, unknown>,
      'RSA-OAEP'
    )
    const jwe = await new CompactEncrypt(new Uint8Array([1, 2, 3]))
      .setProtectedHeader({ alg: 'RSA-OAEP', enc: 'A256GCM' })
      .encrypt(publicKey)
    const err = await rejection(decryptRowBatch(new TextEncoder().encode(jwe), key.privateKey))
    expect(err.code).toBe('pixie_decryption_failed')
  })

  it('should refuse bytes that are not a JWE', async () => {
    const err = await rejection(
      decryptRowBatch(new TextEncoder().encode('garbage'), key.privateKey)
    )
    expect(err.code).toBe('pixie_decryption_failed')
  })

  it('should generate a lazy key pair once and reuse it', async () => {
    const get = lazyE2eKeyPair(2048)
    const [a, b] = await Promise.all([get(), get()])
    expect(a).toBe(b)
    expect(await get()).toBe(a)
  })
})
