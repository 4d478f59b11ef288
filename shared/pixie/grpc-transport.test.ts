/**
 * The transport facade: closing it cancels the calls in flight and refuses later ones, and an
 * authority that is not host:port is refused at construction.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGrpcTransport } from './grpc-transport'
import { respondWithTable, startVizierDouble } from '../../test/vizier-double'
import type { VizierDouble } from '../../test/vizier-double'
import {
  gated,
  grpcFailure,
  lastOutcome,
  PATH,
  REQUEST,
  table,
  within,
} from '../../test/helpers/grpc-harness'

describe('gRPC transport, against the Vizier double', () => {
  let double: VizierDouble

  beforeAll(async () => {
    double = await startVizierDouble(respondWithTable(table))
  })
  afterAll(async () => {
    await double?.close()
  })

  it('should cancel calls in flight on close, and refuse calls after it', async () => {
    const gate = gated()
    double.setBehaviour(gate.behaviour)
    const t = createGrpcTransport({ authority: double.address })
    const pending = grpcFailure(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    await within(gate.arrived)
    await within(t.close())
    const err = await pending
    expect(err.source).toBe('cancelled')
    expect(await lastOutcome(double)).toBe('cancelled')
    gate.release()
    const after = await grpcFailure(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    expect(after.source).toBe('cancelled')
  })
})

describe('gRPC transport, construction', () => {
  it('should refuse an authority that is not host:port at construction', () => {
    expect(() => createGrpcTransport({ authority: 'a b:1' })).toThrow(TypeError)
  })
})
