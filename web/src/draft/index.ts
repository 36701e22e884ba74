// The draft as one tab sees it, kept in step with the API. Read in this order:
// state.ts (what it is), fields.ts (pure helpers), transition.ts with tx.ts, steps.ts and
// answers.ts (how it changes), view.ts (what the hook shows), runner.ts with io.ts and tabs.ts
// (the effects), controller.ts (the original design's API on the runner).

export { DraftController } from './controller';
export type { Address, DraftOptions } from './runner';
export { transition } from './transition';
export { initialState, type DraftEvent, type Effect, type Env, type FieldConflict, type Machine, type Phase, type PhaseName } from './state';
export { view, saveStatus, type DraftState, type SaveStatus } from './view';
export type { BroadcastLike, LocksLike } from './tabs';
