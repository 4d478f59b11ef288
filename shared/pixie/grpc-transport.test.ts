/**
 * The transport facade: closing it cancels the calls in flight and refuses later ones, and an
 * authority that is not host:port is refused at construction.
 */
import { describe, expect, it } from 'vitest'
import { createGrpcTransport } from './grpc-transport'
import {
  gated,
  grpcFailure,
  lastOutcome,
  PATH,
  REQUEST,
  useVizierDouble,
  within,
} from '../../test/helpers/grpc-harness'

describe('gRPC transport, against the Vizier double', () => {
  const vizier = useVizierDouble()

  it('should cancel calls in flight on close, and refuse calls after it', async () => {
    const gate = gated()
    vizier.double.setBehaviour(gate.behaviour)
    const t = createGrpcTransport({ authority: vizier.double.address })
    const pending = grpcFailure(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    await within(gate.arrived)
    await within(t.close())
    const err = await pending
    expect(err.source).toBe('cancelled')
    expect(await lastOutcome(vizier.double)).toBe('cancelled')
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
