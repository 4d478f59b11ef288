/**
 * End-to-end encryption of row batches, as Vizier's query broker does it when a request carries
 * encryption_options: each RowBatchData becomes a JWE compact serialization (RSA-OAEP-256 key
 * wrap, A256GCM content, raw DEFLATE when compression_alg is 'DEF') in QueryData.encrypted_batch.
 * Metadata, stats and statuses stay in the clear, as in Vizier. The JWE itself is made by
 * vizier-wire/batch-encryption.ts, the same code the client's tests use.
 */
import { importJWK } from 'jose'
import type {
  ExecuteScriptRequest_EncryptionOptions,
  RowBatchData,
} from '../shared/pixie/gen/vizierapi_pb'
import { encryptRowBatch } from './vizier-wire/batch-encryption'

export type BatchEncryptor = (batch: RowBatchData) => Promise<Uint8Array>

/**
 * Builds an encryptor for one request, or throws an Error naming the bad option: the key first,
 * then the algorithms, as Vizier's newEncryptConsumer does. The server ends the call with that
 * error before the query runs; Vizier returns it as a plain Go error, which gRPC sends as UNKNOWN
 * (pixie-io/pixie src/vizier/services/query_broker/controllers/server.go ExecuteScript). Pixie
 * accepts every algorithm jwx knows; this stand-in only RSA-OAEP-256, A256GCM and DEF.
 */
export async function createBatchEncryptor(
  options: ExecuteScriptRequest_EncryptionOptions
): Promise<BatchEncryptor> {
  let jwk: Record<string, unknown>
  try {
    jwk = JSON.parse(options.jwkKey) as Record<string, unknown>
  } catch {
    throw new Error('jwk_key is not valid JSON')
  }
  if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string' || typeof jwk.e !== 'string' || 'd' in jwk) {
    throw new Error('jwk_key must be a public RSA JWK')
  }
  try {
    await importJWK(jwk, 'RSA-OAEP-256')
  } catch (err) {
    throw new Error(`jwk_key is not a usable RSA key: ${(err as Error).message}`)
  }
  if (options.keyAlg !== 'RSA-OAEP-256') {
    throw new Error(`unsupported key_alg '${options.keyAlg}' (want RSA-OAEP-256)`)
  }
  if (options.contentAlg !== 'A256GCM') {
    throw new Error(`unsupported content_alg '${options.contentAlg}' (want A256GCM)`)
  }
  if (options.compressionAlg !== 'DEF' && options.compressionAlg !== '') {
    throw new Error(`unsupported compression_alg '${options.compressionAlg}' (want DEF or empty)`)
  }
  const compression = options.compressionAlg === 'DEF'
  return (batch) => encryptRowBatch(batch, options.jwkKey, { compression })
}
