#!/usr/bin/env bash
# README command 1: bring the reference stack up and say where it is.
#  - installs the repository's npm dependencies and builds devenv;
#  - with a Docker engine reachable: runs the stack on Docker (building images from
#    debian:bookworm-slim, which it makes locally when no registry can serve it);
#  - without one: runs the stack as local processes (the process runtime), after installing the
#    stack's own prerequisites (PostgreSQL, Redis, Python packages) with apt on Debian as root.
# In a terminal it stays attached (Ctrl-C takes the stack down); otherwise it returns once
# everything is healthy and the stack keeps running (`npx devenv -f compose/reference/compose.yaml down`).
# Extra arguments go to `devenv up`.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/ensure-node-deps.sh

files=(-f compose/reference/compose.yaml)
if docker info >/dev/null 2>&1; then
  runtime=docker
  scripts/ensure-base-image.sh
  # Behind a TLS-intercepting proxy npm is configured with a CA file: hand it to the frontend
  # container's npm too (demo set-up only; a normal machine needs nothing).
  cafile=$(npm config get cafile 2>/dev/null || true)
  if [ -n "$cafile" ] && [ "$cafile" != null ] && [ "$cafile" != undefined ] && [ -f "$cafile" ]; then
    export HOST_CA_BUNDLE=$cafile
    NPM_REGISTRY=$(npm config get registry)
    export NPM_REGISTRY
    files+=(-f compose/reference/compose.host-ca.yaml)
  fi
else
  runtime=process
  log "no Docker engine answers: running the reference stack as local processes"
  scripts/ensure-process-prereqs.sh
fi
# The backend's packages may live in Debian's python3 while another python3 comes first on PATH (pyenv).
if [ -z "${PYTHON:-}" ] && ! python3 -c 'import fastapi, celery' >/dev/null 2>&1 && /usr/bin/python3 -c 'import fastapi, celery' >/dev/null 2>&1; then
  export PYTHON=/usr/bin/python3
fi

args=("$@")
if [ ! -t 1 ]; then
  args=(--detach "${args[@]}")
fi
log "devenv ${files[*]} --runtime $runtime up ${args[*]}"
exec node cli/bin/devenv.js "${files[@]}" --runtime "$runtime" up "${args[@]}"
