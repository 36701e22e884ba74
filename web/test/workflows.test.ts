// The GitHub Actions workflows pass the linter the test command runs, and the linter refuses a
// broken workflow (so that a pass means something).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { lintAll, lintWorkflow, WORKFLOWS } from '../scripts/lint-workflows.mjs';

describe('the GitHub Actions workflows', () => {
  it('test and deploy both pass actionlint and action-validator', () => {
    const { names, problems } = lintAll();
    expect(names).toEqual(['deploy.yml', 'test.yml']);
    expect(problems).toEqual([]);
  });

  it('a workflow with a misspelt key, an unknown trigger or a missing job is refused', () => {
    const deploy = readFileSync(join(WORKFLOWS, 'deploy.yml'), 'utf8');
    expect(deploy).toContain('    runs-on:');
    expect(lintWorkflow(deploy.replace('    runs-on:', '    runs_on:'), 'broken.yml')).not.toEqual([]);
    const job = 'jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: [{run: x}]\n';
    expect(lintWorkflow(`on: push\n${job}`, 'fine.yml')).toEqual([]);
    expect(lintWorkflow(`on: pushh\n${job}`, 'trigger.yml')).not.toEqual([]);
    expect(lintWorkflow(`on: push\n${job}    needs: [b]\n`, 'needs.yml')).not.toEqual([]);
    // actionlint reads the expressions: an unknown context is caught.
    expect(lintWorkflow(`on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: [{run: 'echo \${{ secret.X }}'}]\n`, 'expr.yml')).not.toEqual([]);
  });

  it('deploys only a commit whose tests passed, with OIDC credentials, then smoke-tests it', () => {
    const deploy = readFileSync(join(WORKFLOWS, 'deploy.yml'), 'utf8');
    expect(deploy).toContain("github.event.workflow_run.conclusion == 'success'");
    expect(deploy).toContain('id-token: write');
    expect(deploy).not.toMatch(/aws-access-key-id|aws-secret-access-key/);
    expect(deploy).toContain('./scripts/smoke.sh');
  });
});
