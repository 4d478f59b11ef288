/**
 * The process configuration, parsed once at startup from environment variables (only the entry,
 * shared/serve.ts, passes process.env in). Every mistake is reported at once with the variable's
 * name and what it accepts, and the process exits 1 before listening: a misconfigured function
 * must fail its Knative revision, not answer Argo with errors later. Values of secrets are never
 * echoed.
 *
 * - PORT: listening port (default 8080; 0 picks a free port, for tests);
 * - PX_API_KEY + PX_CLUSTER_ID (+ optional PX_CLOUD_ADDR): via Pixie Cloud, as the original demo;
 * - PX_VIZIER_ADDR (host:port) + PX_JWT_SIGNING_KEY_FILE + PX_VIZIER_CA_FILE (+ optional
 *   PX_VIZIER_SERVER_NAME, PX_VIZIER_INSECURE_SKIP_VERIFY=true): in-cluster, straight to Vizier's
 *   query broker over TLS with a service JWT. The key file is used byte for byte, as Vizier uses
 *   its Secret; leading or trailing whitespace is refused because Pixie's generated key has none
 *   (a stray newline is a copy mistake that would make every token fail). The server name is
 *   required when the host is an IP address: Pixie's certificate carries DNS names only;
 * - PX_DIRECT_ADDR (host:port): plaintext, no credentials: the simulator's development mode only;
 * - PX_CANARY_AUTH_TOKEN (optional): callers must send `Authorization: Bearer <token>`;
 * - PX_E2E_ENCRYPTION (optional): `1` turns Pixie's end-to-end encryption of result batches on in
 *   direct mode too (a Vizier reached through a port-forward); `0` turns it off in direct mode
 *   (the default there) and is refused with Pixie Cloud, where it is always on.
 * Exactly one of the three Pixie modes must be configured. This is the one reader of the
 * environment's meaning; entries (shared/serve.ts) only pass process.env in.
 */
import { readFileSync } from 'node:fs'
import * as z from 'zod/mini'
import type { InClusterVizierClientOptions, VizierClientOptions } from './pixie/client'

export type Env = Readonly<Record<string, string | undefined>>

/** Reads a mounted file as UTF-8 (tests pass their own). */
export type ReadText = (path: string) => string

const readText: ReadText = (path) => readFileSync(path, 'utf8')

export interface ServerConfig {
  port: number
  client: VizierClientOptions
  /** Caller token metric routes require; absent when authentication is off. */
  authToken?: string
}

export const DEFAULT_PORT = 8080

/** Thrown with every configuration problem found, one per line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration: ${problems.join('; ')}`)
  }
}

// host:port with a DNS name, an IPv4 address or a bracketed IPv6 address.
const HOST_PORT =
  /^(?:[A-Za-z0-9](?:[-A-Za-z0-9]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\]):([0-9]{1,5})$/

const schemas = {
  port: z.string().check(z.maxLength(5, { abort: true }), z.regex(/^[0-9]+$/)),
  hostPort: z.string().check(z.maxLength(260, { abort: true }), z.regex(HOST_PORT)),
  apiKey: z.string().check(z.maxLength(512, { abort: true }), z.regex(/^[\x21-\x7e]+$/)),
  authToken: z
    .string()
    .check(
      z.minLength(16, { abort: true }),
      z.maxLength(512, { abort: true }),
      z.regex(/^[\x21-\x7e]+$/)
    ),
  clusterId: z
    .string()
    .check(
      z.regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/)
    ),
}

/** An env value, with empty strings read as unset (manifests often template empty values). */
function read(env: Env, name: string): string | undefined {
  const value = env[name]
  return value === undefined || value === '' ? undefined : value
}

function validPort(value: string, max = 65535): boolean {
  return schemas.port.safeParse(value).success && Number(value) <= max
}

function validHostPort(value: string): boolean {
  const match = HOST_PORT.exec(value)
  return (
    schemas.hostPort.safeParse(value).success &&
    match !== null &&
    Number(match[1]) >= 1 &&
    Number(match[1]) <= 65535
  )
}

/** PX_E2E_ENCRYPTION: undefined when unset (the mode's default), else the flag or a problem. */
function readEncryption(
  value: string | undefined,
  cloud: boolean
): { encryption?: boolean; problem?: string } {
  if (value === undefined) return {}
  if (value === '1' || value === 'true') return { encryption: true }
  if (value === '0' || value === 'false') {
    return cloud
      ? {
          problem:
            'PX_E2E_ENCRYPTION=0 is refused with Pixie Cloud: results would cross it in the clear',
        }
      : { encryption: false }
  }
  return { problem: `PX_E2E_ENCRYPTION must be 1 or 0, got ${JSON.stringify(value.slice(0, 16))}` }
}

/**
 * The values that must never leave the process (PX_API_KEY, PX_CANARY_AUTH_TOKEN, the JWT signing
 * key, whole and trimmed), as given and before any validation: a malformed secret is a secret too.
 */
export function secretValues(env: Env, readFile: ReadText = readText): string[] {
  const values = [read(env, 'PX_API_KEY'), read(env, 'PX_CANARY_AUTH_TOKEN')]
  const keyFile = read(env, 'PX_JWT_SIGNING_KEY_FILE')
  if (keyFile !== undefined) {
    try {
      const key = readFile(keyFile)
      values.push(key, key.trim())
    } catch {
      // unreadable: parseEnv reports it, and there is nothing to redact
    }
  }
  return values.filter((s): s is string => s !== undefined && s !== '')
}

const IPV4 = /^[0-9]{1,3}(?:\.[0-9]{1,3}){3}$/

/** The in-cluster settings (PX_VIZIER_*), or undefined when PX_VIZIER_ADDR is unset. */
function readInCluster(
  env: Env,
  problems: string[],
  readFile: ReadText
): Omit<InClusterVizierClientOptions, 'encryption'> | undefined {
  const address = read(env, 'PX_VIZIER_ADDR')
  const keyFile = read(env, 'PX_JWT_SIGNING_KEY_FILE')
  const caFile = read(env, 'PX_VIZIER_CA_FILE')
  const serverName = read(env, 'PX_VIZIER_SERVER_NAME')
  const skipText = read(env, 'PX_VIZIER_INSECURE_SKIP_VERIFY')
  if (address === undefined) {
    const stray = [
      ['PX_JWT_SIGNING_KEY_FILE', keyFile],
      ['PX_VIZIER_CA_FILE', caFile],
      ['PX_VIZIER_SERVER_NAME', serverName],
      ['PX_VIZIER_INSECURE_SKIP_VERIFY', skipText],
    ].flatMap(([name, value]) => (value === undefined ? [] : [name]))
    if (stray.length > 0) {
      problems.push(`${stray.join(', ')} set but PX_VIZIER_ADDR is not (in-cluster mode needs it)`)
    }
    return undefined
  }
  const before = problems.length
  if (!validHostPort(address)) {
    problems.push(
      `PX_VIZIER_ADDR must be host:port, e.g. vizier-query-broker-svc.pl.svc:50300, got ${JSON.stringify(address.slice(0, 64))}`
    )
  }
  let skipVerify = false
  if (skipText !== undefined) {
    if (skipText === 'true') skipVerify = true
    else if (skipText !== 'false') {
      problems.push(
        `PX_VIZIER_INSECURE_SKIP_VERIFY must be true or false, got ${JSON.stringify(skipText.slice(0, 16))}`
      )
    }
  }
  const file = (name: string, path: string): string | undefined => {
    try {
      return readFile(path)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error'
      problems.push(`${name}: cannot read ${JSON.stringify(path.slice(0, 200))} (${code})`)
      return undefined
    }
  }
  let jwtSigningKey: string | undefined
  if (keyFile === undefined) {
    problems.push(
      "PX_JWT_SIGNING_KEY_FILE is required with PX_VIZIER_ADDR: mount key jwt-signing-key of Pixie's Secret pl-cluster-secrets"
    )
  } else {
    jwtSigningKey = file('PX_JWT_SIGNING_KEY_FILE', keyFile)
    if (jwtSigningKey === '')
      problems.push('PX_JWT_SIGNING_KEY_FILE: the signing key file is empty')
    else if (jwtSigningKey !== undefined && jwtSigningKey.trim() !== jwtSigningKey) {
      problems.push(
        'PX_JWT_SIGNING_KEY_FILE: the signing key starts or ends with whitespace (a newline?); ' +
          'Vizier uses its Secret byte for byte, so copy it without one (see knative/README.md)'
      )
    }
  }
  let ca: string | undefined
  if (caFile !== undefined) {
    ca = file('PX_VIZIER_CA_FILE', caFile)
    if (ca !== undefined && !ca.includes('-----BEGIN CERTIFICATE-----')) {
      problems.push('PX_VIZIER_CA_FILE: not a PEM certificate (ca.crt of Secret service-tls-certs)')
    }
    if (skipVerify) {
      problems.push('set PX_VIZIER_CA_FILE or PX_VIZIER_INSECURE_SKIP_VERIFY=true, not both')
    }
  } else if (!skipVerify) {
    problems.push(
      "PX_VIZIER_CA_FILE is required with PX_VIZIER_ADDR: mount ca.crt of Pixie's Secret service-tls-certs (or set PX_VIZIER_INSECURE_SKIP_VERIFY=true)"
    )
  }
  if (serverName !== undefined && !HOST_PORT.test(`${serverName}:1`)) {
    problems.push(
      `PX_VIZIER_SERVER_NAME must be a DNS name, got ${JSON.stringify(serverName.slice(0, 64))}`
    )
  }
  const host = address.replace(/:[0-9]+$/, '')
  if (serverName === undefined && !skipVerify && (IPV4.test(host) || host.startsWith('['))) {
    problems.push(
      "PX_VIZIER_SERVER_NAME is required when PX_VIZIER_ADDR is an IP address: Pixie's certificate names no IP; use vizier-query-broker-svc.<namespace>.svc"
    )
  }
  if (problems.length > before) return undefined
  return {
    mode: 'in-cluster',
    address,
    jwtSigningKey: jwtSigningKey!,
    ...(skipVerify ? { insecureSkipVerify: true } : { ca: ca! }),
    ...(serverName === undefined ? {} : { serverName }),
  }
}

/**
 * Parses the configuration.
 *
 * @throws ConfigError listing every problem
 */
export function parseEnv(env: Env, readFile: ReadText = readText): ServerConfig {
  const problems: string[] = []
  const portText = read(env, 'PORT')
  let port = DEFAULT_PORT
  if (portText !== undefined) {
    if (validPort(portText)) port = Number(portText)
    else
      problems.push(
        `PORT must be an integer from 0 to 65535, got ${JSON.stringify(portText.slice(0, 16))}`
      )
  }

  const apiKey = read(env, 'PX_API_KEY')
  const clusterId = read(env, 'PX_CLUSTER_ID')
  const cloudAddr = read(env, 'PX_CLOUD_ADDR')
  const directAddr = read(env, 'PX_DIRECT_ADDR')
  const cloud = apiKey !== undefined || clusterId !== undefined
  const vizierAddr = read(env, 'PX_VIZIER_ADDR')
  const inCluster = readInCluster(env, problems, readFile)

  if (apiKey !== undefined && !schemas.apiKey.safeParse(apiKey).success) {
    problems.push('PX_API_KEY must be printable ASCII without spaces, at most 512 characters')
  }
  if (clusterId !== undefined && !schemas.clusterId.safeParse(clusterId).success) {
    problems.push(`PX_CLUSTER_ID must be a UUID, got ${JSON.stringify(clusterId.slice(0, 64))}`)
  }
  if (cloudAddr !== undefined && !validHostPort(cloudAddr)) {
    problems.push(`PX_CLOUD_ADDR must be host:port, got ${JSON.stringify(cloudAddr.slice(0, 64))}`)
  }
  if (directAddr !== undefined && !validHostPort(directAddr)) {
    problems.push(
      `PX_DIRECT_ADDR must be host:port, got ${JSON.stringify(directAddr.slice(0, 64))}`
    )
  }
  if (vizierAddr !== undefined && (cloud || directAddr !== undefined)) {
    problems.push(
      'set one Pixie mode: PX_VIZIER_ADDR (in-cluster) cannot be combined with PX_API_KEY + PX_CLUSTER_ID (Pixie Cloud) or PX_DIRECT_ADDR (development)'
    )
  } else if (vizierAddr !== undefined) {
    // in-cluster: its own problems are reported by readInCluster
  } else if (cloud && directAddr !== undefined) {
    problems.push('set either PX_API_KEY + PX_CLUSTER_ID (Pixie Cloud) or PX_DIRECT_ADDR, not both')
  } else if (cloud && apiKey === undefined) {
    problems.push('PX_CLUSTER_ID is set but PX_API_KEY is not: Pixie Cloud needs both')
  } else if (cloud && clusterId === undefined) {
    problems.push('PX_API_KEY is set but PX_CLUSTER_ID is not: Pixie Cloud needs both')
  } else if (!cloud && directAddr === undefined) {
    problems.push(
      'no Pixie configured: set PX_API_KEY + PX_CLUSTER_ID (Pixie Cloud), PX_VIZIER_ADDR (in-cluster) or PX_DIRECT_ADDR (the simulator, development mode)'
    )
  }
  if (!cloud && cloudAddr !== undefined) {
    problems.push('PX_CLOUD_ADDR is set but PX_API_KEY + PX_CLUSTER_ID are not')
  }
  const authToken = read(env, 'PX_CANARY_AUTH_TOKEN')
  if (authToken !== undefined && !schemas.authToken.safeParse(authToken).success) {
    problems.push(
      'PX_CANARY_AUTH_TOKEN must be 16 to 512 printable ASCII characters without spaces'
    )
  }
  const e2e = readEncryption(
    read(env, 'PX_E2E_ENCRYPTION'),
    directAddr === undefined && vizierAddr === undefined
  )
  if (e2e.problem !== undefined) problems.push(e2e.problem)
  if (problems.length > 0) throw new ConfigError(problems)

  const encryption = e2e.encryption === undefined ? {} : { encryption: e2e.encryption }
  const client: VizierClientOptions = inCluster
    ? { ...inCluster, ...encryption }
    : directAddr !== undefined
      ? { mode: 'direct', address: directAddr, ...encryption }
      : {
          mode: 'cloud',
          apiKey: apiKey!,
          clusterId: clusterId!,
          ...(cloudAddr === undefined ? {} : { cloudAddr }),
          ...encryption,
        }
  return authToken === undefined ? { port, client } : { port, client, authToken }
}
