// The runner's outside world, one function per kind of effect: a request through the client,
// a write to local storage. Plus the defaults a browser gives.

import type { SessionClient } from '../client';
import type { KeyValueStorage, UnsavedStore } from '../unsaved';
import type { Outcome, Request, StorageWrite } from './state';

export function send(client: SessionClient, request: Request, signal: AbortSignal): Promise<Extract<Outcome, { ok: true }>['value']> {
  switch (request.kind) {
    case 'get':
      return client.get(request.id, { signal });
    case 'create':
      return client.create(request.body, { signal, idempotencyKey: request.key });
    case 'put':
      return client.update(request.id, request.patch, { signal, ifVersion: request.ifVersion, keepalive: request.keepalive });
    case 'delete':
      return client.delete(request.id, { signal }).then(() => null);
  }
}

/** Performs one storage write; false when storage refused it (or a guarded one was not made). */
export function write(store: UnsavedStore, change: StorageWrite): boolean {
  switch (change.op) {
    case 'setSessionId': {
      // Guarded (`over`): a live draft another tab named is left the browser's. Nothing was
      // written, so nothing says storage works again.
      const named = change.over === undefined ? null : store.sessionId();
      if (named !== null && named !== change.id && !change.over!.includes(named) && !store.ended().includes(named)) return false;
      return store.setSessionId(change.id);
    }
    case 'putField':
      return store.putField(change.id, change.field, change.edit);
    case 'ackField':
      return store.ackField(change.id, change.field, change.value);
    case 'forgetField':
      return store.forgetField(change.id, change.field);
    case 'putSteps':
      return store.putSteps(change.id, change.steps);
    case 'ackSteps':
      return store.ackSteps(change.id, change.steps);
    case 'clear':
      return store.clear(change.id);
    case 'move':
      return store.move(change.from, change.to, change.made);
    case 'setPending':
      return store.setPending(change.pending);
    case 'keepSaved':
      return store.keepSaved(change.id, change.copy);
    case 'replaced':
      return store.markReplaced(change.from, change.to);
    case 'ended':
      return store.markEnded(change.id);
  }
}

/** A random UUID v4; `crypto.randomUUID` exists only in secure contexts, `getRandomValues` everywhere. */
export function uuidV4(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function defaultStorage(): KeyValueStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export function defaultEvents(): Pick<EventTarget, 'addEventListener' | 'removeEventListener'> | null {
  return typeof window === 'undefined' ? null : window;
}
