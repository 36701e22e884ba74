export * from './client';
export { DraftController, type DraftOptions, type DraftState, type FieldConflict, type SaveStatus } from './draft';
export { SESSION_ID_KEY, type KeyValueStorage } from './unsaved';
export { configureProjectSession, useProjectSession, type ProjectSession, type UseProjectSessionOptions } from './useProjectSession';
