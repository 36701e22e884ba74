// The package's core entry (`@project-session/web`, src/index.ts) must load without React: apps that
// only use the client or the draft state machine do not install it (it is an optional peer), and
// React Server Components import the core on the server. The hooks live behind ./react (src/react.ts).
// Builds nothing: reads the source graph that tsdown bundles into dist/index.js.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

// `from '...'` (import, export ... from) and `import '...'` / `import('...')`; comments may match too,
// which errs on the side of failing.
const SPECIFIER = /\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(?\s*['"]([^'"]+)['"]/g;

function resolveRelative(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier);
  const candidates = [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')];
  const found = candidates.find((c) => /\.tsx?$/.test(c) && existsSync(c) && statSync(c).isFile());
  if (!found) throw new Error(`${relative(SRC, from)}: cannot resolve '${specifier}'`);
  return found;
}

/** Every module reachable from `entry` by relative imports, with the bare specifiers each imports. */
function moduleGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (graph.has(file)) continue;
    const bare: string[] = [];
    graph.set(file, bare);
    for (const match of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const specifier = match[1] ?? match[2];
      if (specifier.startsWith('.')) pending.push(resolveRelative(file, specifier));
      else bare.push(specifier);
    }
  }
  return graph;
}

const isReact = (specifier: string) => /^(react|react-dom)(\/|$)/.test(specifier);

describe('the package entries', () => {
  it('keep React out of every module the core entry src/index.ts reaches', () => {
    const graph = moduleGraph(join(SRC, 'index.ts'));
    // The walk really followed the core: the client, the draft machine and the unsaved store.
    expect([...graph.keys()].map((f) => relative(SRC, f))).toEqual(
      expect.arrayContaining(['index.ts', 'client.ts', 'draft/index.ts', 'draft/view.ts', 'unsaved.ts']),
    );
    const reactImports = [...graph].flatMap(([file, bare]) =>
      bare.filter(isReact).map((specifier) => `${relative(SRC, file)} imports '${specifier}'`),
    );
    expect(reactImports).toEqual([]);
  });

  it('find the hook behind ./react, which imports React, so that the walk above would see it', () => {
    const graph = moduleGraph(join(SRC, 'react.ts'));
    expect(readFileSync(join(SRC, 'react.ts'), 'utf8')).toMatch(/^'use client';/);
    expect(graph.get(join(SRC, 'useProjectSession.ts'))?.some(isReact)).toBe(true);
  });
});
