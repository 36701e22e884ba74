'use client';
// The `@project-session/web/react` entry: the React hooks on top of the core (`@project-session/web`).
// Marked 'use client' so that React Server Components frameworks treat it as client code; the built
// dist/react.js keeps the directive as its first statement (tsdown.config.ts).

export {
  configureProjectSession,
  useDraft,
  useProjectSession,
  type Draft,
  type ProjectSession,
  type UseDraftOptions,
  type UseProjectSessionOptions,
} from './useProjectSession';
