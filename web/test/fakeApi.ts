// An in-memory stand-in for the API, as a `fetch`, for fast unit tests of the client and the
// hook. It follows openapi.yaml for the parts the frontend relies on (merge, null removes,
// versions, If-Match, 404); the browser tests run the real API on DynamoDB Local.

import type { Session } from '../src/client';

type StoredSession = Session & { projectData: Record<string, unknown> };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

type Failure = { status: number; retryAfter?: number } | 'network';

export class FakeApi {
  readonly sessions = new Map<string, StoredSession>();
  readonly requests: RecordedRequest[] = [];
  /** While true every request fails as `fetch` does offline. */
  offline = false;
  private failures: Failure[] = [];
  private nextId = 1;

  /** The next requests fail this way, one failure per request. */
  failNext(...failures: Failure[]): void {
    this.failures.push(...failures);
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
    this.requests.push({ method, path: url.pathname, headers, body });
    if (this.offline) throw new TypeError('Failed to fetch');
    const failure = this.failures.shift();
    if (failure === 'network') throw new TypeError('Failed to fetch');
    if (failure) {
      const extra: Record<string, string> =
        failure.retryAfter === undefined ? {} : { 'Retry-After': String(failure.retryAfter) };
      return json(failure.status, { error: 'Service unavailable' }, extra);
    }
    return this.route(method, url.pathname, headers, body);
  };

  private route(method: string, path: string, headers: Record<string, string>, body: any): Response {
    if (path === '/health' && method === 'GET') return json(200, { status: 'healthy', dynamodb: 'connected' });
    if (path === '/project-session' && method === 'POST') {
      const sessionId = `00000000-0000-4000-8000-${String(this.nextId++).padStart(12, '0')}`;
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
      });
      return json(201, { sessionId, expiresAt: now }, { ETag: '"1"' });
    }
    const match = /^\/project-session\/([^/]+)$/.exec(path);
    if (!match) return json(404, { error: 'Not found' });
    const session = this.sessions.get(decodeURIComponent(match[1]));
    if (!session) return json(404, { error: 'Session not found' });
    if (method === 'GET') return json(200, structuredClone(session), { ETag: `"${session.version}"` });
    if (method === 'DELETE') {
      this.sessions.delete(session.sessionId);
      return json(200, { success: true });
    }
    if (method === 'PUT') {
      const ifMatch = headers['If-Match'];
      if (ifMatch !== undefined && ifMatch !== `"${session.version}"`) {
        return json(412, { error: 'The session was changed', currentVersion: session.version });
      }
      if (body?.projectData && typeof body.projectData.projectName === 'string' && body.projectData.projectName.length > 200) {
        return json(400, { error: 'Invalid request body', details: { 'projectData.projectName': 'at most 200 characters' } });
      }
      mergeInto(session.projectData, body?.projectData ?? {});
      if (body?.currentStep !== undefined) session.currentStep = body.currentStep;
      if (body?.completedSteps !== undefined) session.completedSteps = [...new Set<number>(body.completedSteps)];
      session.version += 1;
      return json(200, { success: true, version: session.version, expiresAt: session.expiresAt }, {
        ETag: `"${session.version}"`,
      });
    }
    return json(405, { error: 'Method not allowed' });
  }
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
 * fires `storage` events there as a browser does in the other tabs.
 */
export class MemoryStorage {
  readonly items = new Map<string, string>();
  constructor(private readonly events?: EventTarget) {}
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
    this.events?.dispatchEvent(Object.assign(new Event('storage'), { key, newValue: value }));
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}
