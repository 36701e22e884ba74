import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort, ROOT, startStack, stop as stopGroup, waitFor, type Stack } from './stack';

/** A stack as the tests reach it: the API, the demo, and DynamoDB Local's table. */
export type StackUrls = Omit<Stack, 'stop'>;

declare module 'vitest' {
  export interface ProvidedContext {
    /** Drafts kept 24 h, as deployed. */
    main: StackUrls;
    /** Drafts that expire after 3 s without a save, for the expiry test. */
    shortTtl: StackUrls;
    /** Owned mode (AUTH_MODE=jwt), the local token issuer in front of the API. */
    owned: StackUrls;
    /**
     * The Next.js example (examples/nextjs) under `next start`, on the main stack's API; or why it
     * is not running (not built), which fails its tests only.
     */
    nextjs: { url: string } | { error: string };
  }
}

/** A stack the tests are given under `key`: scripts/dev.sh named `name`, with `env`. */
export interface StackSpec {
  key: 'main' | 'shortTtl' | 'owned';
  name: string;
  env?: Record<string, string>;
}

/**
 * A global setup that starts `specs` one after another and the Next.js example on the first
 * one's API, and stops them all at teardown (or as soon as one fails to start).
 */
export function stacksSetup(specs: StackSpec[]): (project: TestProject) => Promise<() => Promise<void>> {
  return async (project) => {
    const stacks: Stack[] = [];
    let nextjs: Awaited<ReturnType<typeof startNextjs>> | null = null;
    const teardown = async () => {
      await Promise.all([...stacks.map((stack) => stack.stop()), nextjs?.stop()]);
    };
    // The Next.js example calls the first stack's API from its own origin, which the local API
    // Gateway allows as the deployed one allows AllowedOrigins (CORS).
    const nextjsPort = await freePort();
    try {
      for (const [i, spec] of specs.entries()) {
        const cors: Record<string, string> = i === 0 ? { ALLOWED_ORIGINS: `http://127.0.0.1:${nextjsPort}` } : {};
        stacks.push(await startStack(spec.name, { ...cors, ...spec.env }));
        project.provide(spec.key, urls(stacks[i]!));
      }
    } catch (error) {
      await teardown();
      throw error;
    }
    try {
      nextjs = await startNextjs(stacks[0]!.apiUrl, nextjsPort);
      project.provide('nextjs', { url: nextjs.url });
    } catch (error) {
      project.provide('nextjs', { error: String(error instanceof Error ? error.message : error) });
    }
    return teardown;
  };
}

export default stacksSetup([
  { key: 'main', name: 'browser' },
  { key: 'shortTtl', name: 'browser-short-ttl', env: { SESSION_TTL: '3' } },
  { key: 'owned', name: 'browser-owned', env: { AUTH_MODE: 'jwt' } },
]);

export function urls({ stop: _, ...rest }: Stack): StackUrls {
  return rest;
}

const NEXTJS = join(ROOT, 'examples', 'nextjs');

/**
 * `next start` of examples/nextjs as `next build` left it (scripts/test.sh builds it first), on a
 * `port`, with the API's URL in PROJECT_SESSION_API_URL, read at request time.
 */
export async function startNextjs(apiUrl: string, port: number): Promise<{ url: string; stop: () => Promise<void> }> {
  const next = join(NEXTJS, 'node_modules', '.bin', 'next');
  if (!existsSync(next) || !existsSync(join(NEXTJS, '.next', 'BUILD_ID'))) {
    throw new Error(
      'examples/nextjs is not built: run examples/nextjs/scripts/install-package.sh, then `npx next build` in examples/nextjs',
    );
  }
  const log = join(ROOT, '.local', 'nextjs-start.log');
  writeFileSync(log, '');
  const out = createWriteStream(log, { flags: 'a' });
  const child = spawn(next, ['start', '--port', String(port), '--hostname', '127.0.0.1'], {
    cwd: NEXTJS,
    // Vitest sets NODE_ENV=test, which `next start` would warn of.
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', PROJECT_SESSION_API_URL: apiUrl },
    // Its own process group, so that stopping it reaches the next-server it starts.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const url = `http://127.0.0.1:${port}`;
  const stop = () => stopGroup(child);
  try {
    await waitFor(`${url}/projects/new`, child, 60_000);
  } catch (error) {
    await stop();
    throw new Error(`next start did not come up (${String(error)}):\n${readFileSync(log, 'utf8').slice(-4000)}`);
  }
  return { url, stop };
}
