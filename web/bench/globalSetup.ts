// The benchmark's stacks: scripts/dev.sh anonymous (with the Next.js example on its API) and
// owned, started as the browser tests start theirs.

import { stacksSetup } from '../browser/globalSetup';

export default stacksSetup([
  { key: 'main', name: 'typing' },
  { key: 'owned', name: 'typing-owned', env: { AUTH_MODE: 'jwt' } },
]);
