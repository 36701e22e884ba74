// The `@project-session/web` entry, the core: the API client, the draft state machine and the unsaved
// store. No React anywhere in its module graph (test/package.test.ts); the hooks are in ./react.
export * from './client';
export { DraftController, type DraftOptions, type DraftState, type FieldConflict, type PhaseName, type SaveStatus } from './draft';
export { stepErrors } from './steps';
export { SESSION_ID_KEY, forgetOwner, hasUnsaved, type KeyValueStorage, type ListableStorage } from './unsaved';
