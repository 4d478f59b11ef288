/**
 * The one jose entry point the client needs, in a module of its own so that encryption.ts can load
 * it with a dynamic import: importing 'jose' itself that way would keep all of jose in the bundle,
 * since esbuild cannot tell which members of a dynamically imported namespace are used.
 */
export { compactDecrypt } from 'jose'
