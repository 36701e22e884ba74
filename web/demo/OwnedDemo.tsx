// The demo in owned mode (`AUTH_MODE=jwt ./scripts/dev.sh`): sign in as anyone with the local
// token issuer (scripts/local_gateway.py; in AWS, Cognito or any OpenID Connect issuer gives the
// token), then the same wizard, whose drafts are the signed-in person's on any device.
//
// The sign-in is the browser's, as Amplify's or Auth0's is (kept in localStorage): the token
// getter returns whoever is signed in now, in any tab. A tab keeps showing the wizard of the
// person it was opened for; the hook sends nothing of theirs with another person's token.

import { useEffect, useState } from 'react';
import { forgetOwner, hasUnsaved } from '../src';
import { CreateProjectPage } from './CreateProjectPage';

const API_URL: string = import.meta.env.VITE_API_URL ?? 'http://localhost:9000';
const SIGNED_IN = 'demo:signedIn';

/** This tab's token, fetched again when missing or when the API said 401. */
let token: { sub: string; value: string } | null = null;

/** The token of whoever is signed in in this browser now; none when nobody is. */
async function currentToken(forceRefresh: boolean): Promise<string | null> {
  const sub = localStorage.getItem(SIGNED_IN);
  if (sub === null) return null;
  if (token?.sub === sub && !forceRefresh) return token.value;
  const response = await fetch(`${API_URL}/local-auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ sub }),
  });
  if (!response.ok) throw new Error(`the local token issuer answered ${response.status}`);
  token = { sub, value: ((await response.json()) as { access_token: string }).access_token };
  return token.value;
}

export function OwnedDemo() {
  const [who, setWho] = useState<string | null>(() => localStorage.getItem(SIGNED_IN));
  const [name, setName] = useState('');
  const [leaving, setLeaving] = useState<string | null>(null);

  // After sign-out has unmounted the wizard (its hook detached): what this browser kept of that
  // person's drafts goes; the drafts stay on the server.
  useEffect(() => {
    if (leaving === null) return;
    forgetOwner(localStorage, leaving);
    setLeaving(null);
  }, [leaving]);

  if (who === null) {
    return (
      <main className="wizard">
        <h1>Sign in</h1>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const sub = name.trim();
            if (!sub) return;
            localStorage.setItem(SIGNED_IN, sub);
            setWho(sub);
          }}
        >
          <div className="field">
            <label htmlFor="who">Your name (the local issuer signs a token for anyone)</label>
            <input id="who" name="who" value={name} onChange={(e) => setName(e.target.value)} />
          </div>
          <div className="actions">
            <button type="submit">Sign in</button>
          </div>
        </form>
      </main>
    );
  }

  return (
    <>
      <p className="signed-in">
        Signed in as <strong data-testid="signed-in-as">{who}</strong>{' '}
        <button
          onClick={() => {
            // What the server does not have yet would go with this browser's copy: ask first.
            if (hasUnsaved(localStorage, who) && !window.confirm('Some changes are not saved yet. Sign out and lose them?')) return;
            localStorage.removeItem(SIGNED_IN);
            token = null;
            setWho(null);
            setLeaving(who);
          }}
        >
          Sign out
        </button>
      </p>
      <CreateProjectPage key={who} owner={who} getToken={({ forceRefresh }) => currentToken(forceRefresh)} />
    </>
  );
}
