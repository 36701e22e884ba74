// An in-memory stand-in for the API, as a `fetch`, for fast unit tests of the client and the
// hook. It follows openapi.yaml for the parts the frontend relies on (merge, null removes,
// versions, If-Match, 404, field details on 400) and the create's `Idempotency-Key` contract;
// the browser tests run the real API on DynamoDB Local.

import { FIELD_NAMES, type Session } from '../src/client';

type StoredSession = Session & { projectData: Record<string, unknown>; owner?: string };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  /** Sent with `fetch`'s keepalive: it outlives the page. */
  keepalive?: boolean;
}

/**
 * How a request fails. `network`: no answer. `hang`: no answer until the client aborts.
 * `lost`: the server does the work, but its answer never arrives (the client times out).
 */
export type Failure = { status: number; retryAfter?: number; body?: unknown } | 'network' | 'hang' | 'lost';

/** Past this many requests every one fails, so a request storm ends a test instead of hanging it. */
const STORM = 500;

const AMOUNT_FIELDS = ['squareFootage', 'budget', 'numberOfFloors', 'numberOfZones'];

export class FakeApi {
  readonly sessions = new Map<string, StoredSession>();
  readonly requests: RecordedRequest[] = [];
  /** While true every request fails as `fetch` does offline. */
  offline = false;
  /** A standing fault: consulted for every request before the queued ones. */
  rule: ((request: RecordedRequest) => Failure | undefined) | null = null;
  private failures: Failure[] = [];
  private nextId = 1;
  /** Idempotency-Key -> the id its first create made. */
  private readonly keys = new Map<string, string>();
  /**
   * Owned mode, as API Gateway's JWT authorizer and the functions do it: token -> its `sub`.
   * A request without one of these gets 401; each draft answers only to its owner.
   */
  tokens: Map<string, string> | null = null;
  /** Owned mode: live drafts one owner may have. */
  maxDrafts = 20;

  /** The next requests fail this way, one failure per request. */
  failNext(...failures: Failure[]): void {
    this.failures.push(...failures);
  }

  /** The failures still queued are dropped: the API recovered. */
  clearFailures(): void {
    this.failures = [];
  }

  /** Another tab's save: changes the stored draft and bumps its version. */
  changeElsewhere(sessionId: string, projectData: Record<string, unknown>): void {
    const session = this.sessions.get(sessionId)!;
    mergeInto(session.projectData, projectData);
    session.version += 1;
  }

  requestsTo(method: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method);
  }

  fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input), 'http://api.test');
    const method = init.method ?? 'GET';
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>));
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    const request: RecordedRequest = { method, path: url.pathname, headers, body, ...(init.keepalive ? { keepalive: true } : {}) };
    this.requests.push(request);
    if (this.offline || this.requests.length > STORM) throw new TypeError('Failed to fetch');
    const failure = this.rule?.(request) ?? this.failures.shift();
    if (failure === 'network') throw new TypeError('Failed to fetch');
    if (failure === 'hang') return never(init.signal);
    if (failure === 'lost') {
      this.route(method, url.pathname, headers, body);
      return never(init.signal);
    }
    if (failure) {
      const extra: Record<string, string> =
        failure.retryAfter === undefined ? {} : { 'Retry-After': String(failure.retryAfter) };
      return json(failure.status, failure.body ?? { error: `Failed with ${failure.status}` }, extra);
    }
    return this.route(method, url.pathname, headers, body);
  };

  private route(method: string, path: string, headers: Record<string, string>, body: any): Response {
    if (path === '/health' && method === 'GET') return json(200, { status: 'healthy', dynamodb: 'connected' });
    let owner: string | undefined;
    if (this.tokens) {
      owner = this.tokens.get((headers.Authorization ?? '').replace(/^Bearer /, ''));
      if (owner === undefined) return json(401, { message: 'Unauthorized' });
    }
    if (path === '/project-sessions' && method === 'GET') {
      const drafts = [...this.sessions.values()]
        .filter((s) => s.owner === owner)
        .reverse()
        .map((s) => ({ sessionId: s.sessionId, currentStep: s.currentStep, lastActivity: s.lastActivity, expiresAt: s.expiresAt }));
      return json(200, { drafts });
    }
    if (path === '/project-session' && method === 'POST') {
      const refused = invalidFields(body?.projectData);
      if (refused) return json(400, { error: 'Invalid request body', details: refused });
      const key = headers['Idempotency-Key'];
      const earlier = key === undefined ? undefined : this.keys.get(key);
      if (earlier !== undefined && this.sessions.has(earlier)) {
        // A repeat of a create: the draft the first one made, as stored.
        const session = this.sessions.get(earlier)!;
        return json(201, { sessionId: earlier, expiresAt: session.expiresAt }, { ETag: '"1"' });
      }
      // As the API: a repeat is answered above; only a new draft counts against the cap.
      if (owner !== undefined && [...this.sessions.values()].filter((s) => s.owner === owner).length >= this.maxDrafts) {
        return json(409, { error: `You have ${this.maxDrafts} drafts already: finish or discard one to start another`, maxDrafts: this.maxDrafts });
      }
      const sessionId = `00000000-0000-4000-8000-${String(this.nextId++).padStart(12, '0')}`;
      if (key !== undefined) this.keys.set(key, sessionId);
      const now = new Date().toISOString();
      const projectData: Record<string, unknown> = {};
      mergeInto(projectData, body?.projectData ?? {});
      this.sessions.set(sessionId, {
        sessionId,
        projectData,
        currentStep: body?.currentStep ?? 1,
        completedSteps: [...new Set<number>(body?.completedSteps ?? [])],
        createdAt: now,
        lastActivity: now,
        expiresAt: now,
        version: 1,
        ...(owner === undefined ? {} : { owner }),
      });
      return json(201, { sessionId, expiresAt: now }, { ETag: '"1"' });
    }
    const match = /^\/project-session\/([^/]+)$/.exec(path);
    if (!match) return json(404, { error: 'Not found' });
    const session = this.sessions.get(decodeURIComponent(match[1]));
    if (!session || session.owner !== owner) return json(404, { error: 'Session not found' });
    if (method === 'GET') {
      const { owner: _, ...shown } = structuredClone(session);
      return json(200, shown, { ETag: `"${session.version}"` });
    }
    if (method === 'DELETE') {
      this.sessions.delete(session.sessionId);
      return json(200, { success: true });
    }
    if (method === 'PUT') {
      const ifMatch = headers['If-Match'];
      if (ifMatch !== undefined && ifMatch !== `"${session.version}"`) {
        return json(412, { error: 'The session was changed', currentVersion: session.version });
      }
      const refused = invalidFields(body?.projectData);
      if (refused) return json(400, { error: 'Invalid request body', details: refused });
      mergeInto(session.projectData, body?.projectData ?? {});
      if (body?.currentStep !== undefined) session.currentStep = body.currentStep;
      if (body?.completedSteps !== undefined) session.completedSteps = [...new Set<number>(body.completedSteps)];
      session.version += 1;
      session.lastActivity = new Date().toISOString();
      return json(200, { success: true, version: session.version, expiresAt: session.expiresAt }, {
        ETag: `"${session.version}"`,
      });
    }
    return json(405, { error: 'Method not allowed' });
  }
}

/** The server's field checks that the tests lean on: known names, name length, amounts not negative. */
function invalidFields(projectData: Record<string, unknown> | undefined): Record<string, string> | null {
  const details: Record<string, string> = {};
  for (const name of Object.keys(projectData ?? {})) {
    if (!(FIELD_NAMES as readonly string[]).includes(name)) details[`projectData.${name}`] = 'unknown field';
  }
  if (typeof projectData?.projectName === 'string' && projectData.projectName.length > 200) {
    details['projectData.projectName'] = 'must be at most 200 characters';
  }
  for (const field of AMOUNT_FIELDS) {
    const value = projectData?.[field];
    if (typeof value === 'number' && value < 0) details[`projectData.${field}`] = 'must be 0 or from 0.000001 to 1000000000000000';
  }
  return Object.keys(details).length ? details : null;
}

function never(signal: AbortSignal | null | undefined): Promise<Response> {
  return new Promise((_, reject) => {
    signal?.addEventListener('abort', () => reject(new DOMException('The operation was aborted.', 'AbortError')));
  });
}

function mergeInto(target: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete target[key];
    else target[key] = value;
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

/**
 * localStorage's interface over a Map, shared by the "tabs" of one test. Given a target, it
 * fires `storage` events there as a browser does in the other tabs. `full` makes every write
 * throw, as a full quota or a private mode does.
 */
export class MemoryStorage {
  readonly items = new Map<string, string>();
  full = false;
  constructor(private readonly events?: EventTarget) {}
  get length(): number {
    return this.items.size;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    if (this.full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    this.items.set(key, value);
    this.events?.dispatchEvent(Object.assign(new Event('storage'), { key, newValue: value }));
  }
  removeItem(key: string): void {
    this.items.delete(key);
    this.events?.dispatchEvent(Object.assign(new Event('storage'), { key, newValue: null }));
  }
}

/**
 * The Web Locks API's `request`, for the tabs of one test: one holder at a time, the others
 * granted in the order they asked.
 */
export class MemoryLocks {
  private readonly tails = new Map<string, Promise<unknown>>();
  request(name: string, callback: () => Promise<unknown>): Promise<unknown> {
    const run = (this.tails.get(name) ?? Promise.resolve()).then(() => callback());
    this.tails.set(name, run.catch(() => undefined));
    return run;
  }
}

/** `BroadcastChannel` for the tabs of one test: a message reaches every other open channel. */
export class MemoryBroadcast {
  private readonly open = new Set<{ listeners: Set<(event: MessageEvent) => void> }>();
  readonly posted: unknown[] = [];

  channel(): import('../src/draft').BroadcastLike {
    const self = { listeners: new Set<(event: MessageEvent) => void>() };
    this.open.add(self);
    return {
      postMessage: (message: unknown) => {
        this.posted.push(message);
        for (const other of this.open) {
          if (other === self) continue;
          const data = structuredClone(message);
          queueMicrotask(() => other.listeners.forEach((listener) => listener({ data } as MessageEvent)));
        }
      },
      addEventListener: (_type, listener) => self.listeners.add(listener),
      removeEventListener: (_type, listener) => self.listeners.delete(listener),
      close: () => this.open.delete(self),
    };
  }
}
