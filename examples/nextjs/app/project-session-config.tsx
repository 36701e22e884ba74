'use client';

import { configureProjectSession } from '@project-session/web/react';
import type { ReactNode } from 'react';

/**
 * Points every `useProjectSession()` below it at the API. Configured while rendering, not in an
 * effect: a parent renders before its children, but its effects run after theirs, and the hook
 * reads its options when it first renders.
 */
export function ProjectSessionConfig({ baseUrl, children }: { baseUrl: string; children: ReactNode }) {
  configureProjectSession({ baseUrl });
  return children;
}
