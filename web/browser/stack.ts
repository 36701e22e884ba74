// The README's main command (scripts/dev.sh: DynamoDB Local, the functions under
// `cargo lambda watch`, the demo under Vite), started on free ports for the browser tests.

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Stack {
  apiUrl: string;
  webUrl: string;
  /** DynamoDB Local's endpoint and the drafts' table, for what the benchmark reads back. */
  dynamodbUrl: string;
  table: string;
  stop(): Promise<void>;
}

export async function startStack(name: string, env: Record<string, string> = {}): Promise<Stack> {
  const [port, dynamodbPort, webPort] = [await freePort(), await freePort(), await freePort()];
  mkdirSync(join(ROOT, '.local'), { recursive: true });
  const log = join(ROOT, '.local', `${name}-dev.log`);
  // Created now, not when the stream opens: the wait below reads it at once.
  writeFileSync(log, '');
  const out = createWriteStream(log, { flags: 'a' });
  const child = spawn(join(ROOT, 'scripts', 'dev.sh'), [], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      DYNAMODB_PORT: String(dynamodbPort),
      WEB_PORT: String(webPort),
      TABLE_NAME: `${name}-sessions`,
      AWS_ENDPOINT_URL_DYNAMODB: '',
      ...env,
    },
    // Its own process group, so that stopping it reaches everything it started.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const stack: Stack = {
    apiUrl: `http://localhost:${port}`,
    webUrl: `http://localhost:${webPort}`,
    dynamodbUrl: `http://localhost:${dynamodbPort}`,
    table: `${name}-sessions`,
    stop: () => stop(child),
  };
  try {
    // dev.sh says "ready:" once every function has answered (scripts/warm.py), so that no
    // test waits for a build; then the demo.
    await waitForLine(log, 'ready: API on', child, 1_800_000);
    await waitFor(stack.webUrl, child, 60_000);
  } catch (error) {
    await stack.stop();
    throw new Error(`scripts/dev.sh did not come up (${String(error)}):\n${readFileSync(log, 'utf8').slice(-4000)}`);
  }
  return stack;
}

async function waitForLine(log: string, line: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`it exited with ${child.exitCode}`);
    if (readFileSync(log, 'utf8').includes(line)) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`no "${line}" in ${timeoutMs / 1000} s`);
}

/** Until `url` answers 2xx; fails early if `child` exits. */
export async function waitFor(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`it exited with ${child.exitCode}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(120_000) });
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${url} did not answer in ${timeoutMs / 1000} s`);
}

/** As Ctrl-C does; the script's trap stops what it started. Killed if it takes over 30 s. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(-child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // gone already
    }
  }, 30_000);
  await exited;
  clearTimeout(timer);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
