#!/bin/sh
# Installs node_modules when package-lock.json changed since the last install, then runs the
# command. node_modules is installed here, at container start, not during `docker build`:
# see docs/reference-stack.md ("Frontend packages"). It lives in a volume, so a recreated
# container with the same lock file starts at once.
set -eu
stamp=node_modules/.devenv-lock-sha256
wanted=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$wanted" ]; then
  echo "frontend: package-lock.json changed or node_modules empty: npm ci"
  if ! npm ci --no-audit --no-fund; then
    echo "frontend: npm ci failed. Behind a TLS-intercepting proxy? Give npm your CA bundle" >&2
    echo "  (npm_config_cafile; compose/reference/compose.host-ca.yaml does that)." >&2
    exit 1
  fi
  echo "$wanted" >"$stamp"
fi
exec "$@"
