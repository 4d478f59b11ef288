/**
 * The simulator's command line: `node --import tsx simulator/main.ts --scenario FILE --port 12345`.
 * Runs until SIGINT/SIGTERM, then closes cleanly and exits 0. See simulator/README.md.
 * Without front-door flags it serves development mode (plaintext, no credentials).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { startAdminServer, type AdminServer } from './admin'
import { parseFaults, type Faults } from './faults'
import {
  DEFAULT_HOST,
  DEFAULT_PORT,
  startSimulator,
  type Simulator,
  type SimulatorMode,
  type VizierFrontDoorOptions,
} from './server'
import { expectedRowsPerSecond } from './traffic'

const USAGE = `usage: node --import tsx simulator/main.ts [options]
  --scenario FILE       scenario JSON (default scenarios/demo.json; env PX_SIM_SCENARIO)
  --port N              gRPC port, 0 = ephemeral (default ${DEFAULT_PORT}; env PX_SIM_PORT)
  --host ADDR           listen address (default ${DEFAULT_HOST})
  --multiplier X        traffic multiplier (default the scenario's; env PX_SIM_MULTIPLIER)
  --fault KIND          unavailable | unauthenticated | reset | hang (env PX_SIM_FAULT)
  --latency-ms N        added latency per ExecuteScript call (env PX_SIM_LATENCY_MS)
  --encrypt             encrypt row batches when the client asks for it
  --admin-port N        plain-HTTP control endpoint (faults, multiplier, stats; env PX_SIM_ADMIN_PORT)
  --tls-dir DIR         Vizier front door: server.crt + server.key in DIR (env PX_SIM_TLS_DIR);
                        needs the signing key too
  --jwt-signing-key-file FILE
                        Vizier front door: the cluster's JWT signing key, used as is
                        (env PX_SIM_JWT_SIGNING_KEY_FILE, or the key itself in PL_JWT_SIGNING_KEY)
  --standalone-pem      behave as Pixie's standalone PEM (exec_funcs ignored)
  --help

Without --tls-dir, --jwt-signing-key-file or --standalone-pem: development mode (plaintext HTTP/2,
no credentials), which no real Pixie offers.`

function fail(message: string): never {
  process.stderr.write(`simulator: ${message}\n${USAGE}\n`)
  process.exit(2)
}

function integer(text: string | undefined, what: string): number | undefined {
  if (text === undefined || text === '') return undefined
  const n = Number(text)
  if (!Number.isInteger(n) || n < 0 || n > 65535) fail(`${what} must be an integer 0-65535`)
  return n
}

const MODE_NAMES: Record<SimulatorMode, string> = {
  development: 'development mode: plaintext, no credentials',
  vizier: 'Vizier front door: TLS, service JWT required',
  'standalone-pem': 'standalone PEM: exec_funcs ignored',
}

/** The Vizier front door's settings from flags and env, undefined when none is given. */
function frontDoor(
  values: { 'tls-dir'?: string; 'jwt-signing-key-file'?: string },
  env: NodeJS.ProcessEnv
): VizierFrontDoorOptions | undefined {
  const dir = values['tls-dir'] ?? env.PX_SIM_TLS_DIR
  const keyFile = values['jwt-signing-key-file'] ?? env.PX_SIM_JWT_SIGNING_KEY_FILE
  const keyEnv = env.PL_JWT_SIGNING_KEY
  if (!dir && !keyFile) return undefined
  if (!dir) fail('the Vizier front door needs --tls-dir (server.crt and server.key)')
  if (!keyFile && !keyEnv) {
    fail('the Vizier front door needs --jwt-signing-key-file or PL_JWT_SIGNING_KEY')
  }
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8')
    } catch (err) {
      return fail(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`)
    }
  }
  // The key is used exactly as stored, as Vizier uses its Secret value (no trimming).
  const jwtSigningKey = keyFile ? read(keyFile) : (keyEnv ?? '')
  if (jwtSigningKey === '') fail('the JWT signing key is empty')
  return {
    tls: { cert: read(join(dir, 'server.crt')), key: read(join(dir, 'server.key')) },
    jwtSigningKey,
  }
}

async function main(): Promise<void> {
  let values
  try {
    ;({ values } = parseArgs({
      options: {
        scenario: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        multiplier: { type: 'string' },
        fault: { type: 'string' },
        'latency-ms': { type: 'string' },
        encrypt: { type: 'boolean' },
        'admin-port': { type: 'string' },
        'tls-dir': { type: 'string' },
        'jwt-signing-key-file': { type: 'string' },
        'standalone-pem': { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    }))
  } catch (err) {
    fail((err as Error).message)
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  const env = process.env
  const scenario = values.scenario ?? env.PX_SIM_SCENARIO ?? 'scenarios/demo.json'
  const port = integer(values.port ?? env.PX_SIM_PORT, '--port') ?? DEFAULT_PORT
  const adminPort = integer(values['admin-port'] ?? env.PX_SIM_ADMIN_PORT, '--admin-port')
  const multiplierText = values.multiplier ?? env.PX_SIM_MULTIPLIER
  const multiplier = multiplierText === undefined ? undefined : Number(multiplierText)
  if (multiplier !== undefined && !(multiplier > 0)) fail('--multiplier must be a positive number')
  let faults: Faults | undefined
  const fault = values.fault ?? env.PX_SIM_FAULT
  const latency = values['latency-ms'] ?? env.PX_SIM_LATENCY_MS
  if (fault || latency) {
    try {
      faults = parseFaults({
        ...(fault ? { error: fault } : {}),
        ...(latency ? { latencyMs: Number(latency) } : {}),
      })
    } catch (err) {
      fail((err as Error).message)
    }
  }

  const vizier = frontDoor(values, env)
  if (vizier && values['standalone-pem']) {
    fail('--standalone-pem cannot be combined with the Vizier front door flags')
  }

  // Handlers first: a signal that arrives while starting still ends in a clean exit 0.
  let sim: Simulator | undefined
  let admin: AdminServer | undefined
  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    await admin?.close()
    await sim?.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop())
  process.on('SIGTERM', () => void stop())

  try {
    sim = await startSimulator({
      scenario,
      port,
      host: values.host ?? DEFAULT_HOST,
      ...(multiplier === undefined ? {} : { multiplier }),
      ...(values.encrypt ? { encrypt: true } : {}),
      ...(faults ? { faults } : {}),
      ...(vizier ? { vizier } : {}),
      ...(values['standalone-pem'] ? { standalonePem: true } : {}),
    })
  } catch (err) {
    process.stderr.write(`simulator: ${(err as Error).message}\n`)
    process.exit(1)
  }
  if (adminPort !== undefined) admin = await startAdminServer(sim, adminPort)
  const rps = expectedRowsPerSecond(sim.world, sim.store.multiplier)
  process.stdout.write(
    `simulator: scenario '${sim.scenario.name}' (${sim.world.pods.length} pods, ~${rps.toFixed(1)} rows/s, ` +
      `x${sim.store.multiplier}) serving px.api.vizierpb.VizierService on ${sim.address}` +
      (admin ? `, control on http://127.0.0.1:${admin.port}` : '') +
      ` (${MODE_NAMES[sim.mode]})\n`
  )
}

await main()
