#!/usr/bin/env bash
# README command 2: the whole test suite, on a fresh machine too. On Debian as root it installs
# what the integration tests drive for real: a Docker engine (started in the background) and the
# debian:bookworm-slim base image, the process runtime's prerequisites, tmux, Prometheus, Chromium
# and code-server. Elsewhere the tests that need a missing piece skip, and the summary names them.
# Then: lint and format check, type check, unit and integration tests.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/ensure-node-deps.sh

if is_root && is_debian; then
  DEVENV_ALLOW_ENGINE_INSTALL=1 scripts/ensure-docker.sh
  scripts/ensure-base-image.sh
  # Docker and the base image are there now: a test that needs them fails instead of skipping.
  export DEVENV_REQUIRE_DOCKER=1
  scripts/ensure-process-prereqs.sh
  missing=()
  have tmux || missing+=(tmux)
  have gcc || missing+=(gcc libc6-dev)
  # The portable process reader (what macOS uses) is tested here too; the sync agent is
  # cross-compiled for arm64 containers (Apple silicon) and checked with file(1).
  have lsof || missing+=(lsof)
  have file || missing+=(file)
  have aarch64-linux-gnu-gcc || missing+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
  # A real Prometheus scrapes the engine's metrics endpoint (test/observe/); the test runs its own.
  have prometheus || missing+=(prometheus)
  if [ "${#missing[@]}" -gt 0 ]; then
    apt_install "${missing[@]}"
    node engine/agent/build.mjs >&2
    # Where systemd runs, the package starts a Prometheus of its own on :9090: the tests need none.
    if [[ " ${missing[*]} " == *" prometheus "* ]] && have systemctl; then
      systemctl disable --now prometheus >/dev/null 2>&1 || true
    fi
  fi
  log "code-server and Chromium for the VS Code extension's end-to-end test (cached outside the clone)"
  scripts/install-code-server.sh >/dev/null
else
  log "not root on Debian: installing nothing; tests needing Docker, tmux or code-server will skip and say so"
fi

log "lint and format (biome)"
npx biome check .
log "type check of the tests"
npx tsc -p test

log "tests (vitest: unit, then integration against real Docker, processes, terminals)"
npx vitest run --reporter=default --reporter=./test/reporters/suite-summary.ts "$@"
