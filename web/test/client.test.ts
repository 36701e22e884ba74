import { describe, expect, it } from 'vitest';
import { ApiError, SessionClient } from '../src/client';
import { FakeApi } from './fakeApi';

function setup() {
  const api = new FakeApi();
  const client = new SessionClient({ baseUrl: 'http://api.test/', fetch: api.fetch });
  return { api, client };
}

describe('SessionClient', () => {
  it('creates a draft and reports it at version 1', async () => {
    const { api, client } = setup();
    const created = await client.create({ projectData: { projectName: 'Riverside' } });
    expect(created.version).toBe(1);
    expect(api.sessions.get(created.sessionId)?.projectData).toEqual({ projectName: 'Riverside' });
    expect(api.requests[0]).toMatchObject({ method: 'POST', path: '/project-session' });
    expect(api.requests[0].headers['Content-Type']).toBe('application/json');
  });

  it('sends If-Match with the quoted version and returns the new version', async () => {
    const { api, client } = setup();
    const { sessionId } = await client.create();
    const updated = await client.update(sessionId, { projectData: { budget: 5 } }, { ifVersion: 1 });
    expect(updated.version).toBe(2);
    expect(api.requestsTo('PUT')[0].headers['If-Match']).toBe('"1"');
    expect(api.requestsTo('PUT')[0].path).toBe(`/project-session/${sessionId}`);
  });

  it('rejects a stale version with a 412 that carries the current version', async () => {
    const { client } = setup();
    const { sessionId } = await client.create();
    await client.update(sessionId, { currentStep: 2 });
    const error = await client.update(sessionId, { currentStep: 3 }, { ifVersion: 1 }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.isConflict).toBe(true);
    expect(error.currentVersion).toBe(2);
  });

  it('reports a missing draft as a 404 with the server message', async () => {
    const { client } = setup();
    const error = await client.get('00000000-0000-4000-8000-999999999999').catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.isNotFound).toBe(true);
    expect(error.message).toBe('Session not found');
    expect(error.isRetryable).toBe(false);
  });

  it('reads Retry-After on a 503 and calls it retryable', async () => {
    const { api, client } = setup();
    api.failNext({ status: 503, retryAfter: 2 });
    const error = await client.get('x').catch((e) => e);
    expect(error.status).toBe(503);
    expect(error.retryAfter).toBe(2);
    expect(error.isRetryable).toBe(true);
  });

  it('turns a network failure into a retryable error with status 0', async () => {
    const { api, client } = setup();
    api.offline = true;
    const error = await client.create().catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(0);
    expect(error.isRetryable).toBe(true);
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it.each([
    ['get', { hello: 'portal' }],
    ['get', { sessionId: 'x', projectData: {}, currentStep: 1, createdAt: 'a', lastActivity: 'a', expiresAt: 'a', version: 1 }],
    ['get', []],
    ['get', null],
    ['create', { sessionId: 7 }],
    ['update', { success: true }],
  ] as const)('refuses a 200 to %s whose JSON is not what it asked for: %j', async (verb, body) => {
    const client = new SessionClient({
      baseUrl: 'http://api.test',
      fetch: async () => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } }),
    });
    const call = verb === 'get' ? client.get('x') : verb === 'create' ? client.create() : client.update('x', { currentStep: 2 });
    const error = await call.catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(200);
    expect(error.message).toMatch(/not a/);
  });

  it('keeps the status of an error page that is not JSON', async () => {
    const client = new SessionClient({
      fetch: async () => new Response('<html>Bad gateway</html>', { status: 502 }),
    });
    const error = await client.get('x').catch((e) => e);
    expect(error.status).toBe(502);
    expect(error.message).toBe('The API answered 502');
    expect(error.isRetryable).toBe(true);
  });

  it('passes the field details of a 400 through', async () => {
    const { client } = setup();
    const { sessionId } = await client.create();
    const error = await client.update(sessionId, { projectData: { projectName: 'x'.repeat(201) } }).catch((e) => e);
    expect(error.status).toBe(400);
    expect(error.details).toEqual({ 'projectData.projectName': 'must be at most 200 characters' });
  });

  it('deletes a draft, after which it is not found', async () => {
    const { client } = setup();
    const { sessionId } = await client.create();
    await client.delete(sessionId);
    await expect(client.get(sessionId)).rejects.toMatchObject({ status: 404 });
  });

  it('escapes the id in the path', async () => {
    const { api, client } = setup();
    await client.get('../health').catch(() => undefined);
    expect(api.requests[0].path).toBe('/project-session/..%2Fhealth');
  });

  it('reports health on 200 and on 503', async () => {
    const { api, client } = setup();
    expect(await client.health()).toEqual({ status: 'healthy', dynamodb: 'connected' });
    api.failNext({ status: 503 });
    expect(await client.health()).toEqual({ status: 'unhealthy', dynamodb: 'disconnected' });
  });

  it('uses relative URLs when no base URL is given', async () => {
    const seen: string[] = [];
    const client = new SessionClient({
      fetch: async (input) => {
        seen.push(String(input));
        return new Response('{"status":"healthy","dynamodb":"connected"}', { status: 200 });
      },
    });
    await client.health();
    expect(seen).toEqual(['/health']);
  });
});
