// The benchmark's stacks: scripts/dev.sh anonymous (with the Next.js example on its API) and
// owned, as the browser tests start them (browser/globalSetup.ts).

import type { TestProject } from 'vitest/node';
import { startNextjs, urls } from '../browser/globalSetup';
import { freePort, startStack, type Stack } from '../browser/stack';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stacks: Stack[] = [];
  let nextjs: Awaited<ReturnType<typeof startNextjs>> | null = null;
  const teardown = async () => {
    await Promise.all([...stacks.map((stack) => stack.stop()), nextjs?.stop()]);
  };
  const nextjsPort = await freePort();
  try {
    stacks.push(await startStack('typing', { ALLOWED_ORIGINS: `http://127.0.0.1:${nextjsPort}` }));
    stacks.push(await startStack('typing-owned', { AUTH_MODE: 'jwt' }));
    nextjs = await startNextjs(stacks[0]!.apiUrl, nextjsPort);
  } catch (error) {
    await teardown();
    throw error;
  }
  project.provide('main', urls(stacks[0]!));
  project.provide('owned', urls(stacks[1]!));
  project.provide('nextjs', { url: nextjs.url });
  return teardown;
}
