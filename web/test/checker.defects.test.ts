// The model checker finds each defect the draft once had, put back. Each case copies `src/` and
// `test/` to a temporary folder, puts one defect back (a text replacement that must match the
// code exactly once, so a case cannot go stale silently) and runs `checker.test.ts` there: it
// must fail, with the invariant named here. Unit and browser tests show each fix on its own.

import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

interface Defect {
  /** What the person met, in the words of the issue that fixed it. */
  name: string;
  file: string;
  from: string;
  to: string;
  /** The invariant whose violation the checker reports. */
  invariant: 'durable' | 'isolated' | 'bounded' | 'live' | 'coherent' | 'prompt';
  /** Runs of each mode it takes, at the checker's seed (400 unless said). */
  runs?: number;
}

const DEFECTS: Defect[] = [
  {
    name: 'a draft that expires while its tab is closed comes back empty (no copy of what was saved)',
    file: 'src/draft/transition.ts',
    from: 'function keepCopy(tx: Tx, before: Machine): void {\n',
    to: 'function keepCopy(tx: Tx, before: Machine): void {\n  return;\n',
    invariant: 'durable',
  },
  {
    name: 'with local storage refused, a reload orphans a draft that was saved (its id kept nowhere)',
    file: 'src/draft/runner.ts',
    from: '    if (this.urlParam === null || this.address === null) return;',
    to: '    return;',
    invariant: 'durable',
  },
  {
    name: 'a create answered 422 is re-sent at once with a new key, forever',
    file: 'src/draft/answers.ts',
    from: '      if (tx.s.attempt === 0) {',
    to: '      if (true) {',
    invariant: 'bounded',
  },
  {
    name: 'a 200 whose JSON is not a draft wedges the tab',
    file: 'src/client.ts',
    from: '  if (isObject(body) && shaped(body)) return body;',
    to: '  if (isObject(body)) return body;',
    invariant: 'live',
  },
  {
    name: 'a 413 on one save stops every other field from saving',
    file: 'src/draft/fields.ts',
    from: "  if (failure === 'tooLarge') return tooLargeField(sent);",
    to: '',
    invariant: 'live',
  },
  {
    name: 'signing out through forgetOwner erases edits the server never got (no hasUnsaved to warn)',
    file: 'src/unsaved.ts',
    from: '  if (store.pending() !== null) return true;',
    to: '  return false;',
    invariant: 'durable',
  },
  {
    name: "a tab of person A sends A's draft with B's token, and re-creates it as B's",
    file: 'src/client.ts',
    from: '        if (this.subject !== null && sub !== null && sub !== this.subject) {',
    to: '        if (false) {',
    invariant: 'isolated',
  },
  {
    name: 'a getToken or fetch that never settles holds the request lane forever',
    file: 'src/draft/runner.ts',
    from: '    return Promise.race([work(controller.signal), expired]).finally(() => clearTimeout(timeout));',
    to: '    return work(controller.signal).finally(() => clearTimeout(timeout));',
    invariant: 'live',
  },
  {
    name: 'what is typed with no draft yet (a create refused, an answer not come) lives in memory only',
    file: 'src/draft/transition.ts',
    from: "    tx.store({ op: 'putField', id: storageId, field, edit: edits[field]! });",
    to: "    if (storageId !== NO_DRAFT && !storageId.startsWith('new:')) tx.store({ op: 'putField', id: storageId, field, edit: edits[field]! });",
    invariant: 'durable',
  },
  {
    name: 'a tab that claims the lock writes what it read at start over what another tab typed since',
    file: 'src/draft/transition.ts',
    from: '  if (reason === \'start\' && tx.s.storageOk) {\n    // What this tab read',
    to: '  if (false) {\n    // What this tab read',
    invariant: 'durable',
    runs: 4000,
  },
  {
    name: 'a tab that closes with edits its keepalive save could not deliver leaves them for no open tab',
    file: 'src/draft/transition.ts',
    from: "  if (m.type === 'left') return adoptLeft(tx, m.id, m.edits);",
    to: "  if (m.type === 'left') return;",
    invariant: 'live',
    runs: 5000,
  },
  {
    name: 'a draft made after a submit or a discard while the tab still says it has none (its phase not named)',
    file: 'src/draft/steps.ts',
    from: "  if (reason !== 'gone') tx.set({ phase: { name: 'creating', heard: phase.name === 'creating' ? phase.heard : null } });",
    to: '',
    invariant: 'coherent',
  },
  {
    name: 'an edit typed with no pause long enough waits for as long as the typing goes on',
    file: 'src/draft/tx.ts',
    from: '    const ms = since === null ? autosaveDelay : Math.min(autosaveDelay, since + maxAutosaveDelay - this.env.now);',
    to: '    const ms = autosaveDelay;',
    invariant: 'prompt',
  },
  {
    name: 'the bound restarts with every keystroke, so steady typing puts the save off for ever',
    file: 'src/draft/transition.ts',
    from: '  if (waits !== (tx.s.unsavedSince !== null)) tx.set({ unsavedSince: waits ? tx.env.now : null });',
    to: '  tx.set({ unsavedSince: waits ? tx.env.now : null });',
    invariant: 'prompt',
  },
  {
    name: 'a page hidden (and maybe never shown again) keeps the edits waiting for a pause',
    file: 'src/draft/transition.ts',
    from: '  tx.cancelAutosave();\n  tx.set({ due: true });\n}',
    to: '}',
    invariant: 'prompt',
  },
];

const WEB = join(import.meta.dirname, '..');

/** This process's environment without the checker's own knobs (a seed, a replay). */
function environment(): NodeJS.ProcessEnv {
  const { FC_SEED: _seed, FC_RUNS: _runs, TRACE: _trace, REPLAY: _replay, ...rest } = process.env;
  return rest;
}
const found: string[] = [];

afterAll(() => {
  if (found.length) console.info(`the model checker finds every defect put back:\n${found.join('\n')}`);
});

describe('the model checker, with a defect put back', () => {
  it.each(DEFECTS)('finds: $name', ({ file, from, to, invariant, name, runs }) => {
    const source = readFileSync(join(WEB, file), 'utf8');
    expect(source.split(from).length - 1, `the defect's text in ${file} (update this case)`).toBe(1);
    const dir = mkdtempSync(join(tmpdir(), 'draft-defect-'));
    try {
      for (const part of ['src', 'test', 'package.json', 'tsconfig.json', 'vitest.config.ts']) cpSync(join(WEB, part), join(dir, part), { recursive: true });
      symlinkSync(join(WEB, 'node_modules'), join(dir, 'node_modules'));
      writeFileSync(join(dir, file), source.replace(from, to));
      const run = spawnSync('npx', ['--no-install', 'vitest', 'run', '--project', 'unit', 'test/checker.test.ts'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...environment(), FC_RUNS: String(runs ?? 400) },
        timeout: 280_000,
      });
      const output = `${run.stdout}${run.stderr}`;
      expect(run.status, `the checker passed with the defect put back:\n${output.slice(-2000)}`).not.toBe(0);
      expect(output).toMatch(new RegExp(`${invariant}: `));
      const after = /Property failed after (\d+) tests/.exec(output)?.[1];
      found.push(`- ${name}: ${invariant}, after ${after ?? '?'} runs`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
