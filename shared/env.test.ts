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
      host: '127.0.0.1',
      headersTimeoutMs: 10_000,
      client: { mode: 'direct', address: '127.0.0.1:12345' },
    })
  })

  it('should listen on the address HOST names and bound slow requests by PX_CANARY_HEADERS_TIMEOUT_MS', () => {
    const config = parseEnv({
      HOST: '0.0.0.0',
      PX_CANARY_HEADERS_TIMEOUT_MS: '500',
      PX_DIRECT_ADDR: 'vizier:51400',
    })
    expect(config).toMatchObject({ host: '0.0.0.0', headersTimeoutMs: 500 })
    expect(parseEnv({ HOST: '::', PX_DIRECT_ADDR: 'vizier:51400' }).host).toBe('::')
    expect(problems({ HOST: 'a b', PX_DIRECT_ADDR: 'vizier:51400' })).toMatch(/HOST must be/)
    expect(problems({ PX_CANARY_HEADERS_TIMEOUT_MS: '5', PX_DIRECT_ADDR: 'vizier:51400' })).toMatch(
      /PX_CANARY_HEADERS_TIMEOUT_MS must be/
    )
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
      host: '127.0.0.1',
      headersTimeoutMs: 10_000,
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
})
