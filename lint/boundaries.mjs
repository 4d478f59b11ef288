/**
 * An ESLint rule that keeps the folders apart: each restriction names the imports a file may not
 * make, by where a relative import lands in the repository or by package name.
 *
 * Relative imports are resolved against the importing file before matching, because the same
 * target is spelled '../x', '../../shared/x' or './x' depending on the importer's depth; a
 * pattern over the raw string (no-restricted-imports) would miss or over-match some of them.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)))

/**
 * Where an import leads: `{ path }` (repository-relative, '/'-separated) for a relative one,
 * `{ package }` for a bare one.
 */
function targetOf(importer, specifier) {
  if (specifier.startsWith('.')) {
    const resolved = path.resolve(path.dirname(importer), specifier)
    return { path: path.relative(ROOT, resolved).split(path.sep).join('/') }
  }
  return { package: specifier }
}

/** @type {import('eslint').Rule.RuleModule} */
const noCrossBoundaryImport = {
  meta: {
    type: 'problem',
    docs: { description: 'forbid imports that cross a folder boundary of the repository' },
    schema: [
      {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            /** Regex over the repository path a relative import resolves to. */
            path: { type: 'string' },
            /** Regex over a bare import (a package name and subpath). */
            package: { type: 'string' },
            /**
             * With `path`: allow the import when the importer's own path gives the same first
             * capture group (a function may import its own folder, not a sibling's).
             */
            exceptSameGroup: { type: 'boolean' },
            message: { type: 'string' },
          },
          required: ['message'],
          additionalProperties: false,
        },
      },
    ],
  },
  create(context) {
    const restrictions = (context.options[0] ?? []).map((r) => ({
      ...r,
      path: r.path === undefined ? undefined : new RegExp(r.path),
      package: r.package === undefined ? undefined : new RegExp(r.package),
    }))
    const importer = context.physicalFilename ?? context.filename
    const importerPath = path.relative(ROOT, importer).split(path.sep).join('/')

    function check(source) {
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return
      const target = targetOf(importer, source.value)
      for (const r of restrictions) {
        let hit = false
        if (target.path !== undefined && r.path) {
          const m = r.path.exec(target.path)
          hit = m !== null && !(r.exceptSameGroup && r.path.exec(importerPath)?.[1] === m[1])
        } else if (target.package !== undefined && r.package) {
          hit = r.package.test(target.package)
        }
        if (hit) {
          context.report({ node: source, message: `${r.message} ('${source.value}')` })
          return
        }
      }
    }

    return {
      ImportDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    }
  },
}

export default { rules: { 'no-cross-boundary-import': noCrossBoundaryImport } }
