// The hooks: `useDraft<T>()` over any form's fields, and the original design's `useProjectSession`,
// same name and same returned fields and functions, which is `useDraft` over its ProjectFormData.
// Both are thin adapters that subscribe to a DraftController and attach it while mounted.

import { useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import { SessionClient, type ClientOptions, type ProjectFormData } from './client';
import { DraftController, type DraftOptions, type DraftState } from './draft';

export interface UseDraftOptions<T extends object = ProjectFormData> extends ClientOptions, Omit<DraftOptions<T>, 'client'> {
  /** A client to share; otherwise one is made from `baseUrl`, `fetch` and `idempotencyKeys`. */
  client?: SessionClient;
  /**
   * Resume this browser's draft or start one when the component mounts (what the original design's page
   * does itself in an effect). Off by default, so the original design's page works unchanged.
   */
  autoStart?: boolean;
}

export type UseProjectSessionOptions = UseDraftOptions<ProjectFormData>;

let defaults: UseDraftOptions<object> = {};

/** Sets the options every `useDraft()` and `useProjectSession()` starts from, e.g. the API's URL. */
export function configureProjectSession(options: UseDraftOptions<object>): void {
  defaults = { ...options };
}

/** What a page gets: the draft as shown, and what it can do with it. */
export type Draft<T extends object = ProjectFormData> = DraftState<T> &
  Pick<
    DraftController<T>,
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
    | 'listDrafts'
  >;

export type ProjectSession = Draft<ProjectFormData>;

/**
 * The draft of a form whose fields are `T`'s. With fields other than openapi.yaml's, say which
 * in `fields`: each must be a field of the API's ProjectData (or one a later deploy adds: held
 * until then).
 */
export function useDraft<T extends object = ProjectFormData>(options: UseDraftOptions<T> = {}): Draft<T> {
  // One controller per mounted component and person: options are read once, as React reads
  // initial state, but another `owner` (someone else signed in) gets a controller of their own,
  // so that nothing of one person's draft, on screen or in memory, reaches the other's.
  // The token getter of this render, not the first one: a getter that closes over React state
  // (a token refreshed into state) must not send the token it saw at mount forever.
  const getToken = useRef(options.getToken ?? defaults.getToken);
  getToken.current = options.getToken ?? defaults.getToken;
  const controller = useMemo(() => {
    const merged = { ...defaults, ...options } as UseDraftOptions<T>;
    const current: ClientOptions['getToken'] = merged.getToken ? (o) => (getToken.current ?? merged.getToken)!(o) : undefined;
    const client =
      merged.client ??
      new SessionClient({
        baseUrl: merged.baseUrl,
        fetch: merged.fetch,
        idempotencyKeys: merged.idempotencyKeys,
        getToken: current,
        // Never another person's token for this person's draft.
        subject: merged.subject ?? merged.owner ?? null,
      });
    return { draft: new DraftController<T>({ ...merged, client }), autoStart: merged.autoStart ?? false };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only a new person makes a new one
  }, [options.owner]);
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
    listDrafts: draft.listDrafts,
  };
}

/** The original design's hook. */
export function useProjectSession(options: UseProjectSessionOptions = {}): ProjectSession {
  return useDraft<ProjectFormData>(options);
}
