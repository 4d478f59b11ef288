/**
 * Vizier's half of end-to-end encryption: a RowBatchData becomes a JWE compact serialization for
 * the client's public JWK, with the algorithms shared/pixie/encryption.ts accepts. For the
 * simulator, the test double and the client's tests; no function encrypts, so it is not in the
 * client library.
 */
import { toBinary } from '@bufbuild/protobuf'
import { CompactEncrypt, importJWK } from 'jose'
import { RowBatchDataSchema } from '../../shared/pixie/gen/vizierapi_pb'
import type { RowBatchData } from '../../shared/pixie/gen/vizierapi_pb'
import { E2E_COMPRESSION_ALG, E2E_CONTENT_ALG, E2E_KEY_ALG } from '../../shared/pixie/encryption'

/** Encrypts a RowBatchData for a client's public JWK the way Vizier does (DEFLATE unless off). */
export async function encryptRowBatch(
  batch: RowBatchData,
  publicJwk: string,
  options: { compression?: boolean } = {}
): Promise<Uint8Array> {
  const key = await importJWK(JSON.parse(publicJwk) as Record<string, unknown>, E2E_KEY_ALG)
  const jwe = await new CompactEncrypt(toBinary(RowBatchDataSchema, batch))
    .setProtectedHeader({
      alg: E2E_KEY_ALG,
      enc: E2E_CONTENT_ALG,
      ...(options.compression === false ? {} : { zip: E2E_COMPRESSION_ALG }),
    })
    .encrypt(key)
  return new TextEncoder().encode(jwe)
}
