// The simulator's front doors over real HTTP/2, through a plain gRPC client: Vizier's query-broker
// door (TLS with Pixie-shaped certificates, the service JWT checked as Vizier checks it), the
// standalone PEM (exec_funcs ignored) and development mode (plaintext, no credentials).
//
// Sources of the behaviour under test (pixie-io/pixie unless said otherwise):
// - src/shared/services/server/grpc_server.go createGRPCAuthFunc: every RPC authenticated,
//   UNAUTHENTICATED "invalid auth token: <jwx error>".
// - grpc-ecosystem/go-grpc-middleware v1.3.0 auth/metadata.go AuthFromMD: header messages.
// - src/shared/services/authcontext/context.go UseJWTAuth: HS256, the key string's bytes, audience.
// - lestrrat-go/jwx v1.2.26 jwt/validate.go, jws/jws.go: validation order and error strings.
// - src/shared/services/utils/jwt.go TokenToProto, claims.go GenerateJWTForService: claim shapes.
// - src/utils/shared/certs/certs.go getVizierDNSNamesForNamespace: the certificate's names.
// - src/experimental/standalone_pem/vizier_server.h, src/carnot/planner/compiler/compiler.cc.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { create } from '@bufbuild/protobuf'
import { Code, ConnectError, createClient, type Client } from '@connectrpc/connect'
import { createGrpcTransport } from '@connectrpc/connect-node'
import { SignJWT, type JWTPayload } from 'jose'
import {
  ExecuteScriptRequestSchema,
  VizierService,
  type ExecuteScriptResponse,
} from '../../shared/pixie/gen/vizierapi_pb'
import { HTTP_STATS_TABLE } from '../../shared/pxl/http-stats'
import { webScenario, webStatsCall } from '../../test/helpers/web-scenario'
import { startSimulator, type Simulator } from '../server'
import { checkVizierAuth } from './auth'
import { generateVizierCertificates, type VizierCertificates } from './certs'

const NOW_S = 1_800_000_000
const NOW = BigInt(NOW_S) * 1_000_000_000n
const QB_NAME = 'vizier-query-broker-svc.pl.svc'

const scenario = webScenario('front-door-test', 11, { '200': 0.9, '500': 0.1 })

/** px-canary's real request: the stats script, which outputs only through exec_funcs. */
const statsCall = webStatsCall('front-door-test')
const statsRequest = {
  queryStr: statsCall.options.script,
  execFuncs: (statsCall.options.execFuncs ?? []).map((f) => ({
    funcName: f.funcName,
    argValues: Object.entries(f.args).map(([name, value]) => ({ name, value })),
    outputTablePrefix: f.outputTablePrefix,
  })),
}

/** A Pixie-format key: 64 random bytes, hex-encoded (pixie-io/pixie vizier_controller.go). */
const signingKey = randomBytes(64).toString('hex')

/** Signs claims as HS256 with the key string's bytes, the way Pixie's SignToken does. */
function mint(claims: JWTPayload, key: string | Uint8Array = signingKey): Promise<string> {
  const bytes = typeof key === 'string' ? new TextEncoder().encode(key) : key
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(bytes)
}

/** The claims of Pixie's own in-cluster service token (GenerateJWTForService), at NOW. */
function serviceClaims(overrides: JWTPayload = {}): JWTPayload {
  return {
    aud: 'vizier',
    sub: 'px-canary',
    iss: 'PL',
    exp: NOW_S + 600,
    Scopes: 'service',
    ServiceID: 'px-canary',
    ...overrides,
  }
}

interface Outcome {
  messages: ExecuteScriptResponse[]
  error?: ConnectError
}

async function drain(stream: AsyncIterable<ExecuteScriptResponse>): Promise<Outcome> {
  const messages: ExecuteScriptResponse[] = []
  try {
    for await (const m of stream) messages.push(m)
    return { messages }
  } catch (err) {
    return { messages, error: ConnectError.from(err) }
  }
}

const certs: VizierCertificates | undefined = generateVizierCertificates('pl')

describe.skipIf(certs === undefined)('the Vizier front door (TLS + service JWT)', () => {
  let sim: Simulator
  const warnings: string[] = []

  /** A client that trusts the test CA and checks the name `servername`. */
  function tlsClient(servername = QB_NAME, ca: string | null = certs?.caCert ?? null) {
    return createClient(
      VizierService,
      createGrpcTransport({
        baseUrl: `https://127.0.0.1:${sim.port}`,
        nodeOptions: { ...(ca === null ? {} : { ca }), servername },
      })
    )
  }

  async function execute(
    authorization: string | undefined,
    client: Client<typeof VizierService> = tlsClient()
  ): Promise<Outcome> {
    return drain(
      client.executeScript(create(ExecuteScriptRequestSchema, statsRequest), {
        timeoutMs: 10_000,
        ...(authorization === undefined ? {} : { headers: { authorization } }),
      })
    )
  }

  beforeAll(async () => {
    sim = await startSimulator({
      scenario,
      port: 0,
      clock: () => NOW,
      vizier: {
        tls: { cert: certs?.serverCert ?? '', key: certs?.serverKey ?? '' },
        jwtSigningKey: signingKey,
      },
      onWarning: (m) => warnings.push(m),
    })
  })
  afterAll(async () => {
    await sim?.close()
  })

  it("should answer px-canary's exec_funcs script for Pixie's own service-token shape", async () => {
    sim.resetStats()
    const token = await mint(serviceClaims())
    const { messages, error } = await execute(`bearer ${token}`)
    expect(error).toBeUndefined()
    expect(sim.mode).toBe('vizier')
    const meta = messages.find((m) => m.result.case === 'metaData')
    expect(meta?.result.value).toMatchObject({ name: HTTP_STATS_TABLE })
    const rows = messages.reduce(
      (n, m) => n + (m.result.case === 'data' ? Number(m.result.value.batch?.numRows ?? 0n) : 0),
      0
    )
    expect(rows).toBeGreaterThan(0)
    expect(sim.stats.executeScriptCalls).toBe(1)
    expect(sim.stats.unauthenticatedCalls).toBe(0)
  })

  it.each([
    ['no custom claims and no exp (the gRPC path never calls ValidClaims)', { aud: 'vizier' }],
    ['an audience list containing vizier', serviceClaims({ aud: ['withpixie.ai', 'vizier'] })],
    ['exp one second ahead (zero skew, whole seconds)', serviceClaims({ exp: NOW_S + 1 })],
    ['iat and nbf equal to now', serviceClaims({ iat: NOW_S, nbf: NOW_S })],
    ["the cloud's cluster-token shape", serviceClaims({ ServiceID: undefined, ClusterID: 'x' })],
  ])('should accept a token with %s', async (_what, claims) => {
    const token = await mint(JSON.parse(JSON.stringify(claims)) as JWTPayload)
    const { error } = await execute(`bearer ${token}`)
    expect(error).toBeUndefined()
  })

  it('should accept the scheme in any case, as AuthFromMD compares it with EqualFold', async () => {
    const { error } = await execute(`BeArEr ${await mint(serviceClaims())}`)
    expect(error).toBeUndefined()
  })

  const hexDecodedKey = new Uint8Array(Buffer.from(signingKey, 'hex'))
  const cases: Array<[string, () => Promise<string | undefined>, string]> = [
    ['no authorization header', async () => undefined, 'Request unauthenticated with bearer'],
    ['a header without a space', async () => 'bearer', 'Bad authorization string'],
    [
      'another scheme',
      async () => `Basic ${await mint(serviceClaims())}`,
      'Request unauthenticated with bearer',
    ],
    [
      'a token that is not a JWT',
      async () => 'bearer not-a-jwt',
      'invalid auth token: failed to verify jws signature: failed extract from compact serialization format: invalid number of segments',
    ],
    [
      'an expired token (exp == now)',
      async () => `bearer ${await mint(serviceClaims({ exp: NOW_S }))}`,
      'invalid auth token: exp not satisfied',
    ],
    [
      'a token signed with another key',
      async () => `bearer ${await mint(serviceClaims(), randomBytes(64).toString('hex'))}`,
      'invalid auth token: failed to verify jws signature: failed to verify message: failed to match hmac signature',
    ],
    [
      'a token signed with the hex-decoded key bytes',
      async () => `bearer ${await mint(serviceClaims(), hexDecodedKey)}`,
      'invalid auth token: failed to verify jws signature: failed to verify message: failed to match hmac signature',
    ],
    [
      "the cloud's audience",
      async () => `bearer ${await mint(serviceClaims({ aud: 'withpixie.ai' }))}`,
      'invalid auth token: aud not satisfied',
    ],
    [
      'no audience',
      async () => `bearer ${await mint(serviceClaims({ aud: undefined }))}`,
      'invalid auth token: claim "aud" not found',
    ],
    [
      'iat in the future',
      async () => `bearer ${await mint(serviceClaims({ iat: NOW_S + 60 }))}`,
      'invalid auth token: iat not satisfied',
    ],
    [
      'nbf in the future',
      async () => `bearer ${await mint(serviceClaims({ nbf: NOW_S + 60 }))}`,
      'invalid auth token: nbf not satisfied',
    ],
    [
      'iat in the future and expired (iat is checked first)',
      async () => `bearer ${await mint(serviceClaims({ iat: NOW_S + 60, exp: NOW_S - 1 }))}`,
      'invalid auth token: iat not satisfied',
    ],
    [
      'expired and the wrong audience (times are checked before the audience)',
      async () => `bearer ${await mint(serviceClaims({ exp: NOW_S - 1, aud: 'x' }))}`,
      'invalid auth token: exp not satisfied',
    ],
  ]

  it.each(cases)('should refuse %s with UNAUTHENTICATED and never run the script', async (_what, header, message) => {
    sim.resetStats()
    const { messages, error } = await execute(await header())
    expect(messages).toEqual([])
    expect(error?.code).toBe(Code.Unauthenticated)
    expect(error?.rawMessage).toBe(message)
    expect(sim.stats.executeScriptCalls).toBe(0)
    expect(sim.stats.unauthenticatedCalls).toBe(1)
  }) // prettier-ignore

  it('should refuse an empty token after the scheme', async () => {
    // HTTP header values lose trailing spaces on the way (fetch Headers trims them), so the
    // check is called directly: Go's gRPC keeps them and jws.Verify sees an empty buffer.
    const outcome = await checkVizierAuth('bearer ', { signingKey, nowMs: NOW_S * 1000 })
    expect(outcome).toEqual({
      ok: false,
      kind: 'unauthenticated',
      message: 'invalid auth token: failed to verify jws signature: attempt to verify empty buffer',
    })
  })

  it('should authenticate HealthCheck too', async () => {
    const client = tlsClient()
    const refused = await drain(client.healthCheck({}, { timeoutMs: 10_000 }) as never)
    expect(refused.error?.code).toBe(Code.Unauthenticated)
    const token = await mint(serviceClaims())
    const ok = await drain(
      client.healthCheck({}, { timeoutMs: 10_000, headers: { authorization: `bearer ${token}` } }) as never
    )
    expect(ok.error).toBeUndefined()
    expect(ok.messages).toHaveLength(1)
  }) // prettier-ignore

  it('should drop every connection when a claim has the wrong JSON type (the broker panics)', async () => {
    sim.resetStats()
    const bad = await mint(serviceClaims({ Scopes: ['service'] }))
    const { messages, error } = await execute(`bearer ${bad}`)
    expect(messages).toEqual([])
    expect(error).toBeDefined()
    expect(error?.code).not.toBe(Code.Unauthenticated)
    expect(sim.stats.crashes).toBe(1)
    expect(warnings.some((w) => w.includes('interface {} is []interface {}, not string'))).toBe(true)
    // As after the pod restarted: a new connection with a good token is served.
    const again = await execute(`bearer ${await mint(serviceClaims())}`)
    expect(again.error).toBeUndefined()
  }) // prettier-ignore

  it("should only be reachable over TLS, verified against Pixie's CA and service names", async () => {
    const token = `bearer ${await mint(serviceClaims())}`
    // The .svc.cluster.local form and localhost are on the certificate too.
    expect((await execute(token, tlsClient(`${QB_NAME}.cluster.local`))).error).toBeUndefined()
    expect((await execute(token, tlsClient('localhost'))).error).toBeUndefined()
    // A wildcard covers one label: the short Service name does not verify.
    const shortName = await execute(token, tlsClient('vizier-query-broker-svc'))
    expect(shortName.error?.message).toMatch(/altnames|does not match/i)
    // Without the cluster's CA (system roots only), the private CA is not trusted.
    const noCa = await execute(token, tlsClient(QB_NAME, null))
    expect(noCa.error?.message).toMatch(/certificate/i)
    // Plaintext HTTP/2 to the TLS port gets no gRPC answer.
    const plain = createClient(
      VizierService,
      createGrpcTransport({ baseUrl: `http://127.0.0.1:${sim.port}` })
    )
    const plainOutcome = await execute(token, plain)
    expect(plainOutcome.messages).toEqual([])
    expect(plainOutcome.error).toBeDefined()
  })
})

describe('the standalone PEM mode', () => {
  let sim: Simulator
  beforeAll(async () => {
    sim = await startSimulator({ scenario, port: 0, clock: () => NOW, standalonePem: true })
  })
  afterAll(async () => {
    await sim?.close()
  })

  function client() {
    return createClient(VizierService, createGrpcTransport({ baseUrl: `http://${sim.address}` }))
  }

  it("should fail px-canary's exec_funcs script the way the real standalone PEM does", async () => {
    const { messages, error } = await drain(
      client().executeScript(create(ExecuteScriptRequestSchema, statsRequest), { timeoutMs: 10_000 })
    )
    expect(sim.mode).toBe('standalone-pem')
    expect(messages).toEqual([])
    expect(error?.code).toBe(Code.InvalidArgument)
    expect(error?.rawMessage).toBe(
      "Failed to compile script with error='query does not output a result, please add a px.display() statement'"
    )
  }) // prettier-ignore

  it('should run a px.display script, with no credentials, naming tables by name', async () => {
    const queryStr = [
      'import px',
      "df = px.DataFrame(table='http_events', start_time='-30s')",
      "df = df.agg(n=('latency', px.count))",
      "px.display(df, 'counts')",
    ].join('\n')
    const { messages, error } = await drain(
      client().executeScript(create(ExecuteScriptRequestSchema, { queryStr }), { timeoutMs: 10_000 })
    )
    expect(error).toBeUndefined()
    const meta = messages.find((m) => m.result.case === 'metaData')
    expect(meta?.result.value).toMatchObject({ name: 'counts', id: 'counts' })
    const last = messages.at(-1)
    expect(last?.result.case === 'data' && last.result.value.batch?.eos).toBe(true)
  }) // prettier-ignore
})

describe('development mode (the default)', () => {
  it('should serve plaintext HTTP/2 without credentials', async () => {
    const sim = await startSimulator({ scenario, port: 0, clock: () => NOW })
    try {
      const c = createClient(VizierService, createGrpcTransport({ baseUrl: `http://${sim.address}` }))
      const { error } = await drain(
        c.executeScript(create(ExecuteScriptRequestSchema, statsRequest), { timeoutMs: 10_000 })
      )
      expect(sim.mode).toBe('development')
      expect(error).toBeUndefined()
    } finally {
      await sim.close()
    }
  }) // prettier-ignore

  it('should refuse to be both a Vizier front door and a standalone PEM', async () => {
    await expect(
      startSimulator({
        scenario,
        port: 0,
        standalonePem: true,
        vizier: { tls: { cert: '', key: '' }, jwtSigningKey: signingKey },
      })
    ).rejects.toThrow(/not both/)
  })
})
