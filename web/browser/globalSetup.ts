import type { TestProject } from 'vitest/node';
import { startStack, type Stack } from './stack';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Drafts kept 24 h, as deployed. */
    main: { apiUrl: string; webUrl: string };
    /** Drafts that expire after 3 s without a save, for the expiry test. */
    shortTtl: { apiUrl: string; webUrl: string };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stacks: Stack[] = [];
  const teardown = async () => {
    await Promise.all(stacks.map((stack) => stack.stop()));
  };
  try {
    stacks.push(await startStack('browser'));
    stacks.push(await startStack('browser-short-ttl', { SESSION_TTL: '3' }));
  } catch (error) {
    await teardown();
    throw error;
  }
  const [main, shortTtl] = stacks;
  project.provide('main', { apiUrl: main.apiUrl, webUrl: main.webUrl });
  project.provide('shortTtl', { apiUrl: shortTtl.apiUrl, webUrl: shortTtl.webUrl });
  return teardown;
}
