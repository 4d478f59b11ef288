import { describe, expect, it } from 'vitest'
import { ConfigError, parseEnv, secretValues } from './env'

const CLUSTER = '3f2c1b0a-1111-4222-8333-944455556666'

function problems(env: Record<string, string>): string {
  try {
    parseEnv(env)
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.join('\n')
    throw err
  }
  throw new Error('expected a ConfigError')
}

describe('parseEnv', () => {
  it('should configure a direct Vizier address with the default port', () => {
    expect(parseEnv({ PX_DIRECT_ADDR: '127.0.0.1:12345' })).toEqual({
      port: 8080,
      client: { mode: 'direct', address: '127.0.0.1:12345' },
    })
  })

  it('should configure Pixie Cloud from the API key and cluster id', () => {
    expect(
      parseEnv({
        PORT: '9000',
        PX_API_KEY: 'px-api-abc',
        PX_CLUSTER_ID: CLUSTER,
        PX_CLOUD_ADDR: 'cloud.example.com:443',
      })
    ).toEqual({
      port: 9000,
      client: {
        mode: 'cloud',
        apiKey: 'px-api-abc',
        clusterId: CLUSTER,
        cloudAddr: 'cloud.example.com:443',
      },
    })
    expect(parseEnv({ PX_API_KEY: 'k', PX_CLUSTER_ID: CLUSTER }).client).not.toHaveProperty(
      'cloudAddr'
    )
  })

  it('should accept PORT=0 (any free port) and read empty values as unset', () => {
    expect(parseEnv({ PORT: '0', PX_DIRECT_ADDR: 'vizier:51400', PX_API_KEY: '' }).port).toBe(0)
  })

  it('should refuse both modes, neither, or half of the cloud pair', () => {
    expect(problems({})).toMatch(/no Pixie configured/)
    expect(problems({ PX_API_KEY: 'k', PX_CLUSTER_ID: CLUSTER, PX_DIRECT_ADDR: 'a:1' })).toMatch(
      /not both/
    )
    expect(problems({ PX_API_KEY: 'k' })).toMatch(/PX_CLUSTER_ID is not/)
    expect(problems({ PX_CLUSTER_ID: CLUSTER })).toMatch(/PX_API_KEY is not/)
    expect(problems({ PX_DIRECT_ADDR: 'a:1', PX_CLOUD_ADDR: 'b:443' })).toMatch(
      /PX_CLOUD_ADDR is set/
    )
  })

  it('should refuse malformed values, naming the variable', () => {
    expect(problems({ PORT: '80a', PX_DIRECT_ADDR: 'a:1' })).toMatch(/^PORT must be/)
    expect(problems({ PORT: '70000', PX_DIRECT_ADDR: 'a:1' })).toMatch(/^PORT must be/)
    expect(problems({ PX_DIRECT_ADDR: 'localhost' })).toMatch(/PX_DIRECT_ADDR must be host:port/)
    expect(problems({ PX_DIRECT_ADDR: 'host:0' })).toMatch(/PX_DIRECT_ADDR must be host:port/)
    expect(problems({ PX_API_KEY: 'k', PX_CLUSTER_ID: 'nope' })).toMatch(
      /PX_CLUSTER_ID must be a UUID/
    )
  })

  it('should never echo the API key', () => {
    const secret = 'px api key with spaces'
    const text = problems({ PX_API_KEY: secret, PX_CLUSTER_ID: CLUSTER })
    expect(text).toMatch(/PX_API_KEY must be/)
    expect(text).not.toContain(secret)
  })

  it('should report every problem at once', () => {
    const text = problems({ PORT: 'x', PX_DIRECT_ADDR: 'bad' })
    expect(text.split('\n')).toHaveLength(2)
  })

  it('should read an optional caller token, refusing a short one without echoing it', () => {
    const token = 'caller-token-0123456789'
    expect(parseEnv({ PX_DIRECT_ADDR: 'a:1', PX_CANARY_AUTH_TOKEN: token }).authToken).toBe(token)
    expect(parseEnv({ PX_DIRECT_ADDR: 'a:1' })).not.toHaveProperty('authToken')
    const text = problems({ PX_DIRECT_ADDR: 'a:1', PX_CANARY_AUTH_TOKEN: 'short-tok' })
    expect(text).toMatch(/PX_CANARY_AUTH_TOKEN must be/)
    expect(text).not.toContain('short-tok')
  })

  it('should read PX_E2E_ENCRYPTION: on or off in direct mode, never off with Pixie Cloud', () => {
    expect(parseEnv({ PX_DIRECT_ADDR: 'a:1', PX_E2E_ENCRYPTION: '1' }).client).toEqual({
      mode: 'direct',
      address: 'a:1',
      encryption: true,
    })
    expect(parseEnv({ PX_DIRECT_ADDR: 'a:1', PX_E2E_ENCRYPTION: '0' }).client).toMatchObject({
      encryption: false,
    })
    expect(parseEnv({ PX_DIRECT_ADDR: 'a:1', PX_E2E_ENCRYPTION: '' }).client).not.toHaveProperty(
      'encryption'
    )
    expect(problems({ PX_API_KEY: 'k', PX_CLUSTER_ID: CLUSTER, PX_E2E_ENCRYPTION: '0' })).toMatch(
      /PX_E2E_ENCRYPTION=0 is refused with Pixie Cloud/
    )
    expect(problems({ PX_DIRECT_ADDR: 'a:1', PX_E2E_ENCRYPTION: 'yes please' })).toMatch(
      /PX_E2E_ENCRYPTION must be 1 or 0/
    )
  })

  it('should name the secrets as given, before validation, for redaction', () => {
    expect(secretValues({ PX_API_KEY: 'bad key', PX_CANARY_AUTH_TOKEN: '', PORT: '1' })).toEqual([
      'bad key',
    ])
  })

  describe('in-cluster mode (PX_VIZIER_ADDR)', () => {
    const KEY = 'c0ffee'.repeat(20)
    const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'
    const files: Record<string, string> = {
      '/k/jwt-signing-key': KEY,
      '/k/newline': `${KEY}\n`,
      '/k/empty': '',
      '/ca/ca.crt': CA,
      '/ca/not-pem': 'hello',
    }
    const readFile = (path: string): string => {
      const text = files[path]
      if (text === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' })
      return text
    }
    const base = {
      PX_VIZIER_ADDR: 'vizier-query-broker-svc.pl.svc:50300',
      PX_JWT_SIGNING_KEY_FILE: '/k/jwt-signing-key',
      PX_VIZIER_CA_FILE: '/ca/ca.crt',
    }
    const problemsWith = (env: Record<string, string>): string => {
      try {
        parseEnv(env, readFile)
      } catch (err) {
        if (err instanceof ConfigError) return err.problems.join('\n')
        throw err
      }
      throw new Error('expected a ConfigError')
    }

    it('should configure the query broker with the key and CA read from their files', () => {
      expect(parseEnv(base, readFile).client).toEqual({
        mode: 'in-cluster',
        address: 'vizier-query-broker-svc.pl.svc:50300',
        jwtSigningKey: KEY,
        ca: CA,
      })
      expect(
        parseEnv(
          {
            ...base,
            PX_VIZIER_ADDR: '10.0.0.7:50300',
            PX_VIZIER_SERVER_NAME: 'vizier-query-broker-svc.pl.svc',
          },
          readFile
        ).client
      ).toMatchObject({ serverName: 'vizier-query-broker-svc.pl.svc' })
      const { PX_VIZIER_CA_FILE: _ca, ...noCa } = base
      expect(
        parseEnv({ ...noCa, PX_VIZIER_INSECURE_SKIP_VERIFY: 'true' }, readFile).client
      ).toEqual({
        mode: 'in-cluster',
        address: base.PX_VIZIER_ADDR,
        jwtSigningKey: KEY,
        insecureSkipVerify: true,
      })
    })

    it('should refuse it incomplete, with one clear line per problem', () => {
      const { PX_JWT_SIGNING_KEY_FILE: _k, PX_VIZIER_CA_FILE: _c, ...bare } = base
      const text = problemsWith(bare)
      expect(text).toMatch(/PX_JWT_SIGNING_KEY_FILE is required with PX_VIZIER_ADDR/)
      expect(text).toMatch(/PX_VIZIER_CA_FILE is required with PX_VIZIER_ADDR/)
      expect(problemsWith({ ...base, PX_VIZIER_CA_FILE: '/ca/missing' })).toMatch(
        /PX_VIZIER_CA_FILE: cannot read "\/ca\/missing" \(ENOENT\)/
      )
      expect(problemsWith({ ...base, PX_VIZIER_CA_FILE: '/ca/not-pem' })).toMatch(/not a PEM/)
      expect(problemsWith({ ...base, PX_VIZIER_ADDR: '10.0.0.7:50300' })).toMatch(
        /PX_VIZIER_SERVER_NAME is required when PX_VIZIER_ADDR is an IP address/
      )
      expect(problemsWith({ ...base, PX_VIZIER_ADDR: 'no-port' })).toMatch(
        /PX_VIZIER_ADDR must be host:port/
      )
      expect(problemsWith({ ...base, PX_VIZIER_INSECURE_SKIP_VERIFY: 'true' })).toMatch(/not both/)
      expect(problemsWith({ ...base, PX_VIZIER_INSECURE_SKIP_VERIFY: 'yes' })).toMatch(
        /must be true or false/
      )
      expect(problemsWith({ PX_DIRECT_ADDR: 'a:1', PX_VIZIER_CA_FILE: '/ca/ca.crt' })).toMatch(
        /PX_VIZIER_CA_FILE set but PX_VIZIER_ADDR is not/
      )
    })

    it('should refuse an empty key or one with a stray newline, never echoing it', () => {
      expect(problemsWith({ ...base, PX_JWT_SIGNING_KEY_FILE: '/k/empty' })).toMatch(/empty/)
      const text = problemsWith({ ...base, PX_JWT_SIGNING_KEY_FILE: '/k/newline' })
      expect(text).toMatch(/whitespace/)
      expect(text).not.toContain(KEY)
    })

    it('should refuse it combined with Pixie Cloud or development mode', () => {
      expect(problemsWith({ ...base, PX_DIRECT_ADDR: 'sim:12345' })).toMatch(/set one Pixie mode/)
      expect(problemsWith({ ...base, PX_API_KEY: 'k', PX_CLUSTER_ID: CLUSTER })).toMatch(
        /set one Pixie mode/
      )
    })

    it('should list the signing key among the secrets to redact', () => {
      expect(secretValues(base, readFile)).toContain(KEY)
      expect(secretValues({ PX_JWT_SIGNING_KEY_FILE: '/k/newline' }, readFile)).toEqual([
        `${KEY}\n`,
        KEY,
      ])
    })
  })
})
