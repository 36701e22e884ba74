#!/usr/bin/env bash
# Installs @project-session/web into this example as npm would from a registry: web/ is built and
# packed (`npm run build:package && npm pack`, the tarball into .local/), and the tarball installed
# here with `npm install --no-save`, after `npm ci` of this example's own package-lock.json.
# The package is deliberately not in package.json: every build of web/ makes a tarball with another
# integrity hash, which a package-lock.json entry would then refuse in `npm ci`.
set -euo pipefail
example=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$example/../.." && pwd)
quiet=(--no-audit --no-fund --loglevel=error)

# web/'s own packages (tsdown for build:package), as the repository's scripts install them.
source "$root/scripts/lib.sh"
install_web_deps
cd "$root/web"
npm run --silent build:package
# The last line `npm pack` prints is the tarball's name.
tarball="$root/.local/$(npm pack --silent --pack-destination "$root/.local" | tail -n 1)"

cd "$example"
# Again only when package-lock.json changed since the last install (npm writes the stamp).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci "${quiet[@]}"
fi
# npm compares the tarball's integrity with what it installed last, so a rebuilt tarball of the same
# version (0.1.0) is installed again, and an unchanged one is not.
npm install --no-save "${quiet[@]}" "$tarball"
echo "installed $(basename "$tarball") into examples/nextjs/node_modules/@project-session/web" >&2
