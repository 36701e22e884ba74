// A typed client for the project-session API (openapi.yaml). No runtime dependencies: it needs
// only `fetch`, which browsers and Node.js 18+ have.

import type { FieldName, ProjectFormData } from './fields';

// The fields come from openapi.yaml (web/scripts/fields.mjs writes fields.ts).
export * from './fields';

/** Fields to set; `null` removes a stored field. */
export type ProjectDataPatch = { [K in FieldName]?: ProjectFormData[K] | null };

export interface Session {
  sessionId: string;
  projectData: Partial<ProjectFormData>;
  currentStep: number;
  completedSteps: number[];
  createdAt: string;
  lastActivity: string;
  expiresAt: string;
  version: number;
  /**
   * Values stored under a field this API does not know, or that its bounds now refuse (written
   * before a change of fields, or by a newer deploy): kept stored, never in `projectData`.
   */
  setAside?: Record<string, unknown>;
}

export interface NewSession {
  projectData?: ProjectDataPatch;
  currentStep?: number;
  completedSteps?: number[];
}

export interface SessionPatch extends NewSession {}

export interface Created {
  sessionId: string;
  expiresAt: string;
  /** From the `ETag` header: a new draft is at version 1. */
  version: number;
}

export interface Updated {
  success: true;
  version: number;
  expiresAt: string;
}

/** A draft as the list shows it (owned mode), for "Continue where you left off". */
export interface DraftSummary {
  sessionId: string;
  /** The draft's title field (`TITLE_FIELD`, `projectName` here), when it has one. */
  projectName?: string;
  currentStep: number;
  lastActivity: string;
  expiresAt: string;
}

export interface DraftList {
  drafts: DraftSummary[];
  /** Where the next page starts; absent on the last page. */
  nextPageToken?: string;
}

export interface Health {
  status: 'healthy' | 'unhealthy';
  dynamodb: 'connected' | 'disconnected';
}

/** An answer other than 2xx. `status` is 0 when no answer came (offline, DNS, CORS, aborted). */
export class ApiError extends Error {
  readonly status: number;
  /** The server's `details` (field path -> what is wrong), on 400. */
  readonly details?: Record<string, string>;
  /** On 412: the version the draft is at now. */
  readonly currentVersion?: number;
  /** Seconds the server asked to wait (`Retry-After`), on 503. */
  readonly retryAfter?: number;

  constructor(
    message: string,
    status: number,
    extra: { details?: Record<string, string>; currentVersion?: number; retryAfter?: number; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'ApiError';
    this.status = status;
    this.details = extra.details;
    this.currentVersion = extra.currentVersion;
    this.retryAfter = extra.retryAfter;
  }

  /** No such draft, or it expired: the server does not tell the two apart. */
  get isNotFound(): boolean {
    return this.status === 404;
  }

  /** The draft changed since the version sent in `If-Match`. */
  get isConflict(): boolean {
    return this.status === 412;
  }

  /** Worth trying again later: no answer at all, 429, or the server is unavailable. */
  get isRetryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status === 502 || this.status === 503 || this.status === 504;
  }

  /** Owned mode: no valid token even after asking `getToken` again. The draft is kept. */
  get isUnauthorized(): boolean {
    return this.status === 401;
  }
}

export interface ClientOptions {
  /** The API Gateway URL in production, `http://localhost:9000` locally; '' for same-origin. */
  baseUrl?: string;
  /**
   * Send `Idempotency-Key` on creates (true). A cross-origin API must allow the header in its
   * CORS configuration; turn this off for one that does not yet.
   */
  idempotencyKeys?: boolean;
  /** Defaults to the global `fetch`; pass one for tests or a proxy. */
  fetch?: typeof fetch;
  /**
   * Owned mode (`AuthMode=jwt`): the signed-in person's access token, sent as `Authorization:
   * Bearer`. After a 401 it is asked again with `forceRefresh` and the request sent once more:
   * a token that expired mid-typing is renewed, and no edit is lost.
   */
  getToken?: (options: { forceRefresh: boolean }) => Promise<string | null | undefined> | string | null | undefined;
  /**
   * Owned mode: the person this client works for (their token's `sub`). A token `getToken`
   * returns for anyone else (another person signed in since, in another tab) is never sent:
   * the request fails as a 401 before it leaves, so nothing of one person's draft goes out
   * under another's name. Tokens that are not JWTs, or carry no `sub`, are sent as they are.
   */
  subject?: string | null;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Lets the request finish while the page unloads (`fetch` keepalive). */
  keepalive?: boolean;
}

export interface CreateOptions extends RequestOptions {
  /**
   * Sent as `Idempotency-Key`: a repeat of a create with the same key answers with the draft the
   * first one made, so a retry after a lost reply does not leave a second draft behind.
   */
  idempotencyKey?: string;
}

export interface UpdateOptions extends RequestOptions {
  /** Apply only while the draft is at this version (sent as `If-Match`). */
  ifVersion?: number;
}

export class SessionClient {
  readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly idempotencyKeys: boolean;
  private readonly getToken: ClientOptions['getToken'];
  private readonly subject: string | null;

  constructor(options: ClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
    this.idempotencyKeys = options.idempotencyKeys ?? true;
    this.getToken = options.getToken;
    this.subject = options.subject ?? null;
    // Bound, so that a detached `window.fetch` is not called with the wrong `this`.
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  async create(draft: NewSession = {}, options: CreateOptions = {}): Promise<Created> {
    const headers: Record<string, string> = {};
    if (this.idempotencyKeys && options.idempotencyKey !== undefined) headers['Idempotency-Key'] = options.idempotencyKey;
    const response = await this.send('POST', '/project-session', draft, options, headers);
    const body = await readShaped(response, 'a created draft', (b) => isString(b.sessionId) && isString(b.expiresAt));
    return { sessionId: body.sessionId as string, expiresAt: body.expiresAt as string, version: etagVersion(response) ?? 1 };
  }

  async get(sessionId: string, options: RequestOptions = {}): Promise<Session> {
    const response = await this.send('GET', sessionPath(sessionId), undefined, options);
    return (await readShaped(response, 'a draft', isSession)) as unknown as Session;
  }

  async update(sessionId: string, patch: SessionPatch, options: UpdateOptions = {}): Promise<Updated> {
    const headers: Record<string, string> = {};
    let cache: RequestCache | undefined;
    if (options.ifVersion !== undefined) {
      headers['If-Match'] = `"${options.ifVersion}"`;
      // If-Match alone makes fetch skip the HTTP cache, and Chromium then skips its CORS
      // preflight cache too: an OPTIONS before every save. No cache answers a PUT, so naming
      // a mode changes only that.
      cache = 'force-cache';
    }
    const response = await this.send('PUT', sessionPath(sessionId), patch, options, headers, cache);
    return (await readShaped(response, 'a saved draft', (b) => isCount(b.version) && isString(b.expiresAt))) as unknown as Updated;
  }

  /** Owned mode: the signed-in person's live drafts, newest first, a page at a time. */
  async list(page: { limit?: number; pageToken?: string } = {}, options: RequestOptions = {}): Promise<DraftList> {
    const query = new URLSearchParams();
    if (page.limit !== undefined) query.set('limit', String(page.limit));
    if (page.pageToken !== undefined) query.set('pageToken', page.pageToken);
    const suffix = query.toString() ? `?${query}` : '';
    const response = await this.send('GET', `/project-sessions${suffix}`, undefined, options);
    const isList = (b: Record<string, unknown>) =>
      Array.isArray(b.drafts) && b.drafts.every((d) => isObject(d) && isString(d.sessionId)) && (b.nextPageToken === undefined || isString(b.nextPageToken));
    return (await readShaped(response, 'a list of drafts', isList)) as unknown as DraftList;
  }

  async delete(sessionId: string, options: RequestOptions = {}): Promise<void> {
    await this.send('DELETE', sessionPath(sessionId), undefined, options);
  }

  /** Whether the API and its table answer. Resolves with the body on 200 and on 503. */
  async health(options: RequestOptions = {}): Promise<Health> {
    try {
      const response = await this.send('GET', '/health', undefined, options);
      return (await readJson(response)) as Health;
    } catch (error) {
      if (error instanceof ApiError && error.status === 503) return { status: 'unhealthy', dynamodb: 'disconnected' };
      throw error;
    }
  }

  private async send(
    method: string,
    path: string,
    body: unknown,
    options: RequestOptions,
    extraHeaders: Record<string, string> = {},
    cache?: RequestCache,
  ): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', ...extraHeaders };
    const init: RequestInit = { method, headers, signal: options.signal, keepalive: options.keepalive };
    if (cache !== undefined) init.cache = cache;
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response = await this.attempt(path, init, headers, false);
    // An expired token: once more with a fresh one. A second 401 is the caller's to show.
    if (response.status === 401 && this.getToken) response = await this.attempt(path, init, headers, true);
    if (!response.ok) throw await errorFrom(response);
    return response;
  }

  private async attempt(path: string, init: RequestInit, headers: Record<string, string>, forceRefresh: boolean): Promise<Response> {
    try {
      if (this.getToken) {
        let token: string | null | undefined;
        try {
          token = await this.getToken({ forceRefresh });
        } catch (cause) {
          // Signed out, or the identity provider is down: the person's to fix, not the network.
          throw new ApiError('No sign-in token could be had', 401, { cause });
        }
        const sub = token ? tokenSubject(token) : null;
        if (this.subject !== null && sub !== null && sub !== this.subject) {
          throw new ApiError('Signed in as someone else: this draft is not theirs', 401);
        }
        if (token) headers.Authorization = `Bearer ${token}`;
        else delete headers.Authorization;
      }
      return await this.fetchImpl(`${this.baseUrl}${path}`, init);
    } catch (cause) {
      if (isAbort(cause) || cause instanceof ApiError) throw cause;
      throw new ApiError('The API could not be reached', 0, { cause });
    }
  }
}

/** A JWT's `sub`, read without checking the signature (API Gateway checks it): null if none. */
function tokenSubject(token: string): string | null {
  const payload = token.split('.')[1];
  if (payload === undefined) return null;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '='));
    const sub = (JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as { sub?: unknown }).sub;
    return typeof sub === 'string' ? sub : null;
  } catch {
    return null;
  }
}

function sessionPath(sessionId: string): string {
  return `/project-session/${encodeURIComponent(sessionId)}`;
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch (cause) {
    throw new ApiError('The API answered with a body that is not JSON', response.status, { cause });
  }
}

/**
 * A 2xx body of the shape `what` names, or an ApiError as for a body that is not JSON: a proxy,
 * a captive portal or a wrong `baseUrl` can answer 200 with anything, and no such answer may
 * reach the draft as if it were one.
 */
async function readShaped(response: Response, what: string, shaped: (body: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  const body = await readJson(response);
  if (isObject(body) && shaped(body)) return body;
  throw new ApiError(`The API answered ${response.status} with a body that is not ${what}`, response.status);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isSession(b: Record<string, unknown>): boolean {
  return (
    isString(b.sessionId) &&
    isObject(b.projectData) &&
    isCount(b.currentStep) &&
    Array.isArray(b.completedSteps) &&
    b.completedSteps.every(isCount) &&
    isString(b.createdAt) &&
    isString(b.lastActivity) &&
    isString(b.expiresAt) &&
    isCount(b.version) &&
    (b.setAside === undefined || isObject(b.setAside))
  );
}

async function errorFrom(response: Response): Promise<ApiError> {
  let body: { error?: unknown; details?: unknown; currentVersion?: unknown } = {};
  try {
    body = (await response.json()) ?? {};
  } catch {
    // A proxy's HTML error page, say: the status still tells what happened.
  }
  const message = typeof body.error === 'string' ? body.error : `The API answered ${response.status}`;
  const retryAfter = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
  return new ApiError(message, response.status, {
    details: isStringRecord(body.details) ? body.details : undefined,
    currentVersion: typeof body.currentVersion === 'number' ? body.currentVersion : etagVersion(response),
    retryAfter: Number.isFinite(retryAfter) ? retryAfter : undefined,
  });
}

/** `"3"` (or `W/"3"`) -> 3. */
function etagVersion(response: Response): number | undefined {
  const match = /^(?:W\/)?"(\d+)"$/.exec(response.headers.get('ETag') ?? '');
  return match ? Number(match[1]) : undefined;
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'string');
}

function isAbort(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: string }).name === 'AbortError';
}
