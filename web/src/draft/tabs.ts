// How the tabs of one browser hear each other: a `BroadcastChannel` where there is one, and
// `storage` events (a write to one key) where there is not. And the tabs' lock, the Web Locks
// API, under which a tab makes a draft so that tabs never make two at once.

import { isFieldValue, ownerPrefix, type KeyValueStorage } from '../unsaved';
import type { TabMessage } from './state';

/** The part of `BroadcastChannel` used here. */
export interface BroadcastLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  close?(): void;
}

/** The part of the Web Locks API (`navigator.locks`) used here. */
export interface LocksLike {
  request(name: string, callback: () => Promise<unknown>): Promise<unknown>;
}

type Events = Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;

export const CHANNEL_NAME = 'projectSession';
export const MESSAGE_KEY = 'projectSession:message';
export const LOCK_NAME = 'projectSession:draft';

/**
 * The channel, the storage key of its fallback and the lock the tabs of one person share: the
 * original names in anonymous mode; in owned mode each person's own, so that on a shared browser
 * one person's tabs never follow, or wait for, another's.
 */
export function tabNames(owner: string | null): { channel: string; messageKey: string; lock: string } {
  if (owner === null) return { channel: CHANNEL_NAME, messageKey: MESSAGE_KEY, lock: LOCK_NAME };
  // Under the owner's storage prefix, so that `forgetOwner` clears the fallback's key too.
  const prefix = ownerPrefix(owner);
  return { channel: `${prefix}channel`, messageKey: `${prefix}message`, lock: `${prefix}draft` };
}

export class TabChannel {
  /** Tells this tab's own messages apart: a storage write reaches its writer in some browsers and tests. */
  private readonly tabId = Math.random().toString(36).slice(2);
  private sent = 0;
  private channel: BroadcastLike | null = null;

  constructor(
    private readonly storage: KeyValueStorage | null,
    private readonly events: Events | null,
    private readonly makeChannel: (() => BroadcastLike) | null,
    private readonly receive: (message: TabMessage) => void,
    private readonly messageKey: string = MESSAGE_KEY,
  ) {}

  open(): void {
    this.events?.addEventListener('storage', this.onStorage);
    try {
      this.channel = this.makeChannel?.() ?? null;
    } catch {
      this.channel = null;
    }
    this.channel?.addEventListener('message', this.onChannel);
  }

  close(): void {
    this.events?.removeEventListener('storage', this.onStorage);
    this.channel?.removeEventListener('message', this.onChannel);
    this.channel?.close?.();
    this.channel = null;
  }

  /** Sends to the other tabs. False when it could not (no channel and storage refused the write). */
  post(message: TabMessage): boolean {
    const envelope = { from: this.tabId, n: ++this.sent, message };
    if (this.channel) {
      this.channel.postMessage(envelope);
      return true;
    }
    try {
      this.storage?.setItem(this.messageKey, JSON.stringify(envelope));
      return true;
    } catch {
      return false;
    }
  }

  private onChannel = (event: MessageEvent): void => {
    this.deliver(event.data);
  };

  private onStorage = (event: Event): void => {
    const { key, newValue } = event as StorageEvent;
    if (key !== this.messageKey || !newValue) return;
    try {
      this.deliver(JSON.parse(newValue));
    } catch {
      // Not ours to read.
    }
  };

  private deliver(envelope: unknown): void {
    if (typeof envelope !== 'object' || envelope === null) return;
    const { from, message } = envelope as { from?: unknown; message?: unknown };
    if (from === this.tabId || !isMessage(message)) return;
    this.receive(message);
  }
}

// Another tab may run another version of this code: take only messages of a known shape.
function isMessage(value: unknown): value is TabMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  if (m.type === 'left') return (m.id === null || typeof m.id === 'string') && isEdits(m.edits);
  if (typeof m.id !== 'string') return false;
  if (m.type === 'saved') return typeof m.version === 'number';
  if (m.type === 'draft') return (m.replaces === null || typeof m.replaces === 'string') && ['start', 'gone', 'restart'].includes(m.reason as string);
  if (m.type === 'ended') return m.how === 'submitted' || m.how === 'discarded';
  return false;
}

function isEdits(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  return Object.values(value).every((edit: unknown) => {
    if (typeof edit !== 'object' || edit === null) return false;
    const { value: v, base, at } = edit as Record<string, unknown>;
    return isFieldValue(v) && isFieldValue(base) && (at === undefined || typeof at === 'number');
  });
}

export function defaultChannel(name: string = CHANNEL_NAME): (() => BroadcastLike) | null {
  return typeof BroadcastChannel === 'undefined' ? null : () => new BroadcastChannel(name);
}

export function defaultLocks(): LocksLike | null {
  return (globalThis.navigator as { locks?: LocksLike } | undefined)?.locks ?? null;
}
