/**
 * End-to-end encryption of row batches, the client's half, as Pixie's official clients do it: the
 * client sends a public RSA JWK, Vizier returns each RowBatchData as a JWE compact serialization
 * (RSA-OAEP-256 key wrap, A256GCM content, raw-DEFLATE "zip":"DEF"). Only batches are encrypted;
 * metadata, stats and statuses travel in the clear. Vizier's half (encrypting) lives in
 * simulator/vizier-wire/batch-encryption.ts.
 */
import { generateKeyPair } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { decodeRowBatchData } from './vizierapi'
import type { RowBatchData } from './vizierapi'
import { decryptionError } from './error-mapping'

/** The algorithms every official Pixie client asks for; the only ones this client accepts back. */
export const E2E_KEY_ALG = 'RSA-OAEP-256'
export const E2E_CONTENT_ALG = 'A256GCM'
export const E2E_COMPRESSION_ALG = 'DEF'

/** Pixie's clients use RSA-4096, e=65537. */
const MODULUS_BITS = 4096
/**
 * Upper bound on one decompressed batch. Vizier's sink caps a batch at about 0.9 MiB; jose's
 * default (250,000 bytes) is below that, so it must be raised, but not left unbounded.
 */
const MAX_DECOMPRESSED_BYTES = 8 * 1024 * 1024

/**
 * jose is imported on the first decryption, not at module load: a function that runs without
 * encryption (direct mode, the default there) never evaluates it. esbuild keeps it in the same
 * bundle file, behind a lazy initialiser, so the image still ships one file.
 */
let jose: Promise<typeof import('./jose-decrypt')> | undefined
function loadJose(): Promise<typeof import('./jose-decrypt')> {
  jose ??= import('./jose-decrypt')
  return jose
}

export interface E2eKeyPair {
  /** Public key as JWK JSON ({"kty":"RSA","n":...,"e":"AQAB"}), sent as encryption_options.jwk_key. */
  publicJwk: string
  privateKey: KeyObject
}

/** Generates an RSA key pair on libuv's thread pool, so the event loop never waits on it. */
export function generateE2eKeyPair(modulusLength: number = MODULUS_BITS): Promise<E2eKeyPair> {
  return new Promise((resolve, reject) => {
    generateKeyPair(
      'rsa',
      { modulusLength, publicExponent: 0x10001 },
      (err, publicKey, privateKey) => {
        if (err) return reject(err)
        resolve({ publicJwk: JSON.stringify(publicKey.export({ format: 'jwk' })), privateKey })
      }
    )
  })
}

/**
 * A memoised key pair: generation starts on the first call and the same pair is reused after
 * that (one per client, as the Go client does). A failed generation is retried on the next call.
 */
export function lazyE2eKeyPair(modulusLength?: number): () => Promise<E2eKeyPair> {
  let pending: Promise<E2eKeyPair> | undefined
  return () => {
    pending ??= generateE2eKeyPair(modulusLength).catch((err: unknown) => {
      pending = undefined
      throw err
    })
    return pending
  }
}

/**
 * Decrypts one encrypted_batch (JWE compact, ASCII bytes) into a RowBatchData. Only the three
 * algorithms above are accepted; any failure (wrong key, tampering, bad header, not a
 * RowBatchData) is a pixie_decryption_failed error, never a guess.
 */
export async function decryptRowBatch(
  jwe: Uint8Array,
  privateKey: KeyObject
): Promise<RowBatchData> {
  let plaintext: Uint8Array
  try {
    const { compactDecrypt } = await loadJose()
    const result = await compactDecrypt(jwe, privateKey, {
      keyManagementAlgorithms: [E2E_KEY_ALG],
      contentEncryptionAlgorithms: [E2E_CONTENT_ALG],
      maxDecompressedLength: MAX_DECOMPRESSED_BYTES,
    })
    plaintext = result.plaintext
  } catch (err) {
    throw decryptionError(err instanceof Error ? err.message : String(err), err)
  }
  try {
    return decodeRowBatchData(plaintext)
  } catch (err) {
    throw decryptionError('the decrypted batch is not a RowBatchData', err)
  }
}
