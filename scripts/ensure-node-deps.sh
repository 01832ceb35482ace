#!/usr/bin/env bash
# Installs the repository's npm dependencies (when package-lock.json changed since the last
# install) and builds the TypeScript and the sync agent. Idempotent and quick when nothing changed.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

stamp=node_modules/.devenv-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund >&2
  printf '%s\n' "$want" >"$stamp"
fi
log "building (tsc -b, sync agent)"
npm run --silent build >&2
