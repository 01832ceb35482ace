#!/usr/bin/env bash
# Everything of the Kubernetes runtime that needs no cluster, exactly as the `checks` job of
# .github/workflows/kubernetes.yml runs it (and as anyone can run it here): the types of every
# test (test/kubernetes included), lint, the unit tests of the runtime, the shared runtime code and
# the doctor, then test/kubernetes without the live suite — schemas, kustomize, golden command
# lines, stream tests against the real client classes, and the git server image built on Docker
# from debian:bookworm-slim (made here first when missing: pulled, or built without a registry).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log "type check of the tests"
npx tsc -p test
log "lint and format (biome) of the Kubernetes runtime and its tests"
npx biome check engine/src/runtimes/kubernetes engine/src/runtimes/shared engine/src/doctor kind test/kubernetes
log "unit tests: the runtime, the shared runtime code, the doctor"
npx vitest run --project unit engine/src/runtimes/kubernetes engine/src/runtimes/shared engine/src/doctor
if docker info >/dev/null 2>&1; then
  scripts/ensure-base-image.sh
  # In CI the git server test must run, not skip: Docker and the base image are there.
  if in_ci; then export DEVENV_REQUIRE_DOCKER=1; fi
else
  log "no Docker engine answers: test/kubernetes/git-server.test.ts will skip and say so"
fi
log "test/kubernetes without the live suite (no cluster here)"
npx vitest run --project integration test/kubernetes --exclude test/kubernetes/live.test.ts
