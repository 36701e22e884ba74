// The original design's hook, same name and same returned fields and functions, on top of DraftController:
// a thin adapter that subscribes to it and attaches it while mounted.

import { useEffect, useState, useSyncExternalStore } from 'react';
import { SessionClient, type ClientOptions } from './client';
import { DraftController, type DraftOptions, type DraftState } from './draft';

export interface UseProjectSessionOptions extends ClientOptions, Omit<DraftOptions, 'client'> {
  /** A client to share; otherwise one is made from `baseUrl`, `fetch` and `idempotencyKeys`. */
  client?: SessionClient;
  /**
   * Resume this browser's draft or start one when the component mounts (what the original design's page
   * does itself in an effect). Off by default, so the original design's page works unchanged.
   */
  autoStart?: boolean;
}

let defaults: UseProjectSessionOptions = {};

/** Sets the options every `useProjectSession()` without its own starts from, e.g. the API's URL. */
export function configureProjectSession(options: UseProjectSessionOptions): void {
  defaults = { ...options };
}

export type ProjectSession = DraftState &
  Pick<
    DraftController,
    | 'createSession'
    | 'updateSession'
    | 'loadSession'
    | 'clearSession'
    | 'discardDraft'
    | 'setField'
    | 'setProjectData'
    | 'setCurrentStep'
    | 'completeStep'
    | 'saveNow'
    | 'resolveConflicts'
    | 'dismissChangedElsewhere'
  >;

export function useProjectSession(options: UseProjectSessionOptions = {}): ProjectSession {
  // One controller per mounted component: options are read once, as React reads initial state.
  const [controller] = useState(() => {
    const merged = { ...defaults, ...options };
    const client =
      merged.client ?? new SessionClient({ baseUrl: merged.baseUrl, fetch: merged.fetch, idempotencyKeys: merged.idempotencyKeys });
    return { draft: new DraftController({ ...merged, client }), autoStart: merged.autoStart ?? false };
  });
  const { draft, autoStart } = controller;
  const state = useSyncExternalStore(draft.subscribe, draft.getState, draft.getState);

  useEffect(() => {
    draft.attach();
    if (autoStart) void draft.start();
    return draft.detach;
  }, [draft, autoStart]);

  return {
    ...state,
    createSession: draft.createSession,
    updateSession: draft.updateSession,
    loadSession: draft.loadSession,
    clearSession: draft.clearSession,
    discardDraft: draft.discardDraft,
    setField: draft.setField,
    setProjectData: draft.setProjectData,
    setCurrentStep: draft.setCurrentStep,
    completeStep: draft.completeStep,
    saveNow: draft.saveNow,
    resolveConflicts: draft.resolveConflicts,
    dismissChangedElsewhere: draft.dismissChangedElsewhere,
  };
}
