/**
 * ESLint here checks one thing: the import boundaries between folders (lint/boundaries.mjs).
 * Formatting is Prettier's and types are tsc's, so no other rule is on.
 *
 * - A function (functions/<a>/) never imports another function: each is bundled and deployed
 *   on its own, and what two share belongs in shared/.
 * - Shipped code in shared/ never imports simulator/, test/ or bench/: every function bundles
 *   shared/, and a stand-in or a test helper must not end up in a bundle (tests beside the code
 *   may use the stand-ins).
 * - shared/pixie/ (the Vizier client) knows nothing of HTTP: neither Hono nor the app, the HTTP
 *   error mapping, the server or middleware.
 */
import tsParser from '@typescript-eslint/parser'
import boundaries from './lint/boundaries.mjs'

const RULE = 'boundaries/no-cross-boundary-import'

/** Test code, which may reach for the stand-ins and test doubles. */
const TEST_FILES = ['**/*.test.ts']

const NOT_SHARED_TO_STANDINS = {
  path: '^(simulator|test|bench)(/|$)',
  message: 'shared/ must not import simulator/, test/ or bench/',
}
const PIXIE_NOT_TO_HTTP = [
  {
    path: '^shared/(app|http-|serve|middleware)|(^|/)middleware(/|\\.|$)',
    message: 'shared/pixie/ must not import the HTTP layer',
  },
  { package: '^(hono|@hono/[^/]+)(/|$)', message: 'shared/pixie/ must not import Hono' },
]

// A rule's options are replaced, not merged, by a later block that matches the same file: the
// shared/pixie blocks repeat what applies to all of shared/.
export default [
  { ignores: ['node_modules/**', 'dist/**', 'bench/results/**', 'shared/pixie/gen/**'] },
  {
    files: ['**/*.ts', '**/*.mts'],
    languageOptions: { parser: tsParser, sourceType: 'module' },
  },
  {
    files: ['**/*.ts', '**/*.mts', '**/*.js', '**/*.mjs'],
    plugins: { boundaries },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    files: ['functions/**'],
    rules: {
      [RULE]: [
        'error',
        [
          {
            path: '^functions/([^/]+)(/|$)',
            exceptSameGroup: true,
            message: 'a function must not import another function; share it through shared/',
          },
        ],
      ],
    },
  },
  {
    files: ['shared/**'],
    ignores: TEST_FILES,
    rules: { [RULE]: ['error', [NOT_SHARED_TO_STANDINS]] },
  },
  {
    files: ['shared/pixie/**'],
    rules: { [RULE]: ['error', PIXIE_NOT_TO_HTTP] },
  },
  {
    files: ['shared/pixie/**'],
    ignores: TEST_FILES,
    rules: { [RULE]: ['error', [NOT_SHARED_TO_STANDINS, ...PIXIE_NOT_TO_HTTP]] },
  },
]
