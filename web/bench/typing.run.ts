// The person-typing benchmark (BENCHMARKS.md, "A person filling the wizard"): real Chromium
// fills the whole wizard with seeded human timing (bench/person.ts) on the demo, anonymous and
// owned, and on the Next.js example, and records every request the page sends to the API: its
// method, bytes, answer, the CORS preflights, and the draft's item as DynamoDB Local holds it
// after each write, which `lambda-bench report` turns into request units and a price.
// Run by scripts/bench.sh; `TYPING_RUNS` (3) people per surface, `TYPING_SEED` (1) the first seed.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { launch } from '../browser/chromium';
import { ROOT } from '../browser/stack';
import { AUTOSAVE_DEFAULTS } from '../src/draft/runner';
import { perform, plan, FIELD_COUNT } from './person';

const RUNS = Number(process.env.TYPING_RUNS ?? 3);
/** Other bounds (ms) the demo is also run at, anonymous, to show what the default trades. */
const OTHER_MAX_DELAYS = (process.env.TYPING_MAX_DELAYS ?? '5000,10000,30000').split(',').filter(Boolean).map(Number);
const FIRST_SEED = Number(process.env.TYPING_SEED ?? 1);

interface Sent {
  method: string;
  path: string;
  /** Milliseconds since the person started. */
  at: number;
  status: number | null;
  requestBytes: number;
  responseBytes: number;
  /** The fields a create or save carried. */
  fields: string[];
  /** The draft's item in DynamoDB (its JSON wire form) once the answer came: what the write is billed on. */
  item?: unknown;
}

interface Run {
  surface: string;
  mode: 'anonymous' | 'owned';
  /** The autosave's delays: 'defaults', or the option given. */
  setting: string;
  seed: number;
  durationMs: number;
  keystrokes: number;
  requests: Sent[];
  preflights: number;
  /** For every keystroke, how long until a request carried its field's value (ms). */
  editWaitsMs: number[];
  /** Requests the page sent that had no answer 20 s after the wizard ended. */
  unanswered: string[];
}

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The item of draft `id` as stored, by DynamoDB's JSON protocol (DynamoDB Local checks no signature). */
async function rawItem(dynamodbUrl: string, table: string, id: string): Promise<unknown> {
  const response = await fetch(dynamodbUrl, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.0',
      'X-Amz-Target': 'DynamoDB_20120810.GetItem',
      Authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify({ TableName: table, Key: { sessionId: { S: id } }, ConsistentRead: true }),
  });
  const body = (await response.json()) as { Item?: unknown };
  if (!response.ok) throw new Error(`DynamoDB Local answered ${response.status}: ${JSON.stringify(body)}`);
  return body.Item ?? null;
}

interface Surface {
  name: string;
  mode: 'anonymous' | 'owned';
  setting: string;
  apiUrl: string;
  dynamodbUrl: string;
  table: string;
  /** Opens the wizard for the person with `seed` (owned mode: signed in as them). */
  open: (page: Page, seed: number) => Promise<void>;
  /** Waits for what the page shows once the project is created. */
  done: (page: Page) => Promise<void>;
}

async function fillWizard(
  page: Page,
  surface: Surface,
  seed: number,
): Promise<Run> {
  const api = new URL(surface.apiUrl).origin;
  const requests: Sent[] = [];
  const writes: Promise<void>[] = [];
  let preflights = 0;
  const started = Date.now();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  cdp.on('Network.requestWillBeSent', (event: { request: { url: string; method: string } }) => {
    if (event.request.method === 'OPTIONS' && event.request.url.startsWith(api)) preflights += 1;
  });
  // Each request as the page sends it, completed by its answer ('requestfinished' never comes
  // for some, a DELETE's among them, in this Chromium).
  const inflight = new Set<unknown>();
  const counted = (url: URL, method: string) => url.origin === api && !url.pathname.startsWith('/local-auth/') && method !== 'OPTIONS';
  page.on('request', (request) => {
    const url = new URL(request.url());
    // The local token issuer stands in for Cognito: not the API's.
    if (!counted(url, request.method())) return;
    const body = request.postData();
    const sent: Sent = {
      method: request.method(),
      path: url.pathname,
      at: Date.now() - started,
      status: null,
      requestBytes: 0,
      responseBytes: 0,
      fields: body ? Object.keys((JSON.parse(body) as { projectData?: object }).projectData ?? {}) : [],
    };
    requests.push(sent);
    inflight.add(request);
    writes.push(
      (async () => {
        const response = await request.response().catch(() => null);
        sent.status = response?.status() ?? null;
        // Headers and body as sent and received; a body's length where the sizes never come.
        const sizes = await Promise.race([request.sizes().catch(() => null), sleep(5000).then(() => null)]);
        const answer = (response && (await Promise.race([response.body().catch(() => null), sleep(5000).then(() => null)]))) ?? Buffer.alloc(0);
        sent.requestBytes = sizes ? sizes.requestHeadersSize + sizes.requestBodySize : Buffer.byteLength(body ?? '');
        sent.responseBytes = sizes ? sizes.responseHeadersSize + sizes.responseBodySize : answer.length;
        const id = sent.method === 'POST' ? (JSON.parse(answer.toString() || '{}') as { sessionId?: string }).sessionId : url.pathname.split('/')[2];
        if (id) sent.item = await rawItem(surface.dynamodbUrl, surface.table, id);
        inflight.delete(request);
      })(),
    );
  });
  page.on('requestfailed', (request) => inflight.delete(request));

  await surface.open(page, seed);
  const keystrokes: { field: string; at: number }[] = [];
  for (const act of plan(seed)) {
    await sleep(act.waitMs);
    await perform(page, act);
    if (act.kind === 'key' || act.kind === 'set') keystrokes.push({ field: act.field, at: Date.now() - started });
  }
  await surface.done(page);
  const durationMs = Date.now() - started;
  // The page may show its result before the last answer is read here: wait for the API to be quiet.
  for (let waited = 0; inflight.size > 0 && waited < 20_000; waited += 100) await sleep(100);
  const unanswered = [...inflight].map((r) => `${(r as { method(): string }).method()} ${(r as { url(): string }).url()}`);
  await Promise.all(writes);
  requests.sort((a, b) => a.at - b.at);
  const editWaitsMs = keystrokes.map(({ field, at }) => {
    const carried = requests.find((r) => r.at >= at && (r.method === 'POST' || r.method === 'PUT') && r.fields.includes(field));
    return carried ? carried.at - at : Number.NaN;
  });
  return { surface: surface.name, mode: surface.mode, setting: surface.setting, seed, durationMs, keystrokes: keystrokes.length, requests, preflights, editWaitsMs, unanswered };
}


it(`fills the ${FIELD_COUNT}-field wizard as people do, and records what the page sends`, async () => {
  const main = inject('main');
  const owned = inject('owned');
  const nextjs = inject('nextjs');
  if ('error' in nextjs) throw new Error(nextjs.error);
  const demo = (setting: string, query: string): Surface => ({
    name: 'demo',
    mode: 'anonymous',
    setting,
    ...main,
    open: async (page: Page) => {
      await page.goto(`${main.webUrl}/${query}`);
      await page.locator('[name="projectName"]').waitFor();
    },
    done: (page: Page) => page.getByTestId('created').waitFor(),
  });
  const surfaces: Surface[] = [
    demo('defaults', ''),
    ...OTHER_MAX_DELAYS.map((ms) => demo(`maxAutosaveDelay ${ms / 1000} s`, `?maxAutosaveDelay=${ms}`)),
    {
      name: 'demo',
      mode: 'owned',
      setting: 'defaults',
      ...owned,
      open: async (page: Page, seed: number) => {
        await page.goto(owned.webUrl);
        await page.fill('#who', `person-${seed}`);
        await page.click('button:has-text("Sign in")');
        await page.locator('[name="projectName"]').waitFor();
      },
      done: (page: Page) => page.getByTestId('created').waitFor(),
    },
    {
      name: 'Next.js example',
      mode: 'anonymous',
      setting: 'defaults',
      ...main,
      open: async (page: Page) => {
        await page.goto(`${nextjs.url}/projects/new`);
        await page.locator('[name="projectName"]').waitFor();
      },
      done: (page: Page) => page.waitForURL(/\/projects\/(?!new)[^/]+$/, { timeout: 30_000 }),
    },
  ];
  // People are independent and mostly waiting between keys: they all type at once.
  const runs = await Promise.all(
    surfaces.flatMap((surface) =>
      Array.from({ length: RUNS }, async (_, i) => {
        const seed = FIRST_SEED + i;
        const context = await browser.newContext();
        try {
          // Opening the page is part of the wizard: its requests count from there.
          return await fillWizard(await context.newPage(), surface, seed);
        } finally {
          await context.close();
        }
      }),
    ),
  );
  for (const run of runs) {
    expect(run.requests.every((r) => r.status !== null && r.status < 400), JSON.stringify(run.requests)).toBe(true);
  }
  const out = join(ROOT, 'target', 'bench');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'typing.json'), JSON.stringify({ measuredOn: new Date().toISOString(), defaults: AUTOSAVE_DEFAULTS, runs }, null, 2));
}, 30 * 60_000);
