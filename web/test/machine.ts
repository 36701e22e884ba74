// Drives the pure transition function by hand: a fixed clock, chosen jitter and numbered keys,
// and helpers that put a machine into each phase with a request out.

import { ApiError, FIELD_NAMES, type Created, type Session, type Updated } from '../src/client';
import { initialState, transition, type DraftEvent, type Effect, type Machine } from '../src/draft';
import type { Config, Outcome, Request } from '../src/draft/state';

export const config: Config = {
  autosaveDelay: 1000,
  maxAutosaveDelay: 5000,
  retryDelay: 500,
  maxRetryDelay: 30_000,
  deleteAttempts: 5,
  createAttempts: 4,
  keepSavedCopy: true,
  single: true,
  fields: FIELD_NAMES,
  memoryOnly: [],
};

export const A = '00000000-0000-4000-8000-00000000000a';
export const B = '00000000-0000-4000-8000-00000000000b';
export const NOW = Date.parse('2026-11-30T10:42:00Z');

export class Driver {
  state: Machine = initialState();
  effects: Effect[] = [];
  private keys = 0;
  random = 1;

  send(event: DraftEvent): Effect[] {
    const [state, effects] = transition(this.state, event, { now: NOW, random: this.random, newKey: `key-${++this.keys}`, config });
    this.state = state;
    this.effects = effects;
    return effects;
  }

  /** The request the machine has out in its lane. */
  lane(): { reqId: number; request: Request } {
    const { lane } = this.state;
    if (lane.status !== 'busy') throw new Error(`the lane is ${lane.status}`);
    for (const effect of [...this.effects].reverse()) {
      if (effect.type === 'request' && effect.reqId === lane.reqId) return effect;
    }
    throw new Error('no request for the lane in the last effects');
  }

  answer(outcome: Outcome, reqId = this.state.lane.status === 'busy' ? this.state.lane.reqId : -1): Effect[] {
    return this.send({ type: 'response', reqId, outcome });
  }

  /** The tabs' lock is this tab's, and storage names `storedId` and holds nothing else. */
  claimed(storedId: string | null): Effect[] {
    const { lane } = this.state;
    if (lane.status !== 'busy') throw new Error(`the lane is ${lane.status}`);
    return this.send({ type: 'claimed', reqId: lane.reqId, storedId, pending: null, ended: [], replaced: {}, records: {} });
  }

  /** Fires the timer of that name the last effects armed. */
  fire(name: string): Effect[] {
    const timer = this.effects.find((e): e is Extract<Effect, { type: 'timer' }> => e.type === 'timer' && e.name === name);
    if (!timer) throw new Error(`no ${name} timer armed`);
    return this.send({ type: 'timer', name: timer.name, token: timer.token });
  }
}

export function session(id: string, version: number, projectData: Session['projectData'] = {}, extra: Partial<Session> = {}): Session {
  const at = new Date(NOW).toISOString();
  return { sessionId: id, projectData, currentStep: 1, completedSteps: [], createdAt: at, lastActivity: at, expiresAt: at, version, ...extra };
}

export const ok = (value: Session | Created | Updated | null): Outcome => ({ ok: true, value });

export function failed(status: number, extra: ConstructorParameters<typeof ApiError>[2] = {}, how: { timedOut?: boolean; online?: boolean } = {}): Outcome {
  return { ok: false, error: new ApiError(`answered ${status}`, status, extra), timedOut: how.timedOut ?? false, online: how.online ?? true };
}

/** A tab that loaded draft A at version 3 holding `data`. */
export function loaded(data: Session['projectData'] = { projectName: 'Riverside' }): Driver {
  const d = new Driver();
  d.send({ type: 'start', storedId: A, stored: { fields: {} } });
  d.answer(ok(session(A, 3, data)));
  return d;
}
