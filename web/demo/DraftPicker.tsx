// Owned mode: "Continue where you left off", the signed-in person's drafts from any device.

import { useEffect, useState } from 'react';
import type { DraftSummary } from '../src';
import type { ProjectSession } from '../src/react';

export function DraftPicker({ session }: { session: ProjectSession }) {
  const [drafts, setDrafts] = useState<DraftSummary[] | null>(null);
  const { sessionId, listDrafts, loadSession } = session;

  // Read again when the draft shown changes (a new one made, another picked); not while the
  // hook is still finding or making one, which reads the list itself.
  useEffect(() => {
    if (sessionId === null) return;
    let current = true;
    listDrafts({ limit: 10 }).then(
      (list) => current && setDrafts(list.drafts),
      () => current && setDrafts(null),
    );
    return () => {
      current = false;
    };
  }, [listDrafts, sessionId]);

  const others = (drafts ?? []).filter((d) => d.sessionId !== sessionId);
  if (!others.length) return null;
  return (
    <div className="notice" data-testid="my-drafts">
      <p>Continue where you left off:</p>
      <ul>
        {others.map((d) => (
          <li key={d.sessionId}>
            <button data-draft={d.sessionId} onClick={() => void loadSession(d.sessionId)}>
              {d.projectName ?? 'Untitled project'}
            </button>{' '}
            step {d.currentStep}, last saved {new Date(d.lastActivity).toLocaleString()}
          </li>
        ))}
      </ul>
    </div>
  );
}
