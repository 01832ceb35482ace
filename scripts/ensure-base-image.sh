#!/usr/bin/env bash
# Makes sure the base image of the reference stack exists locally (default debian:bookworm-slim).
#  1. present: nothing to do;
#  2. `docker pull` (what works on a user's machine), with a short timeout;
#  3. no registry (this project's CI): build a minbase rootfs with debootstrap from the host's
#     Debian mirror, cache it as a tarball, and `docker import` it. Later runs reuse the tarball.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IMAGE=${DEVENV_BASE_IMAGE:-debian:bookworm-slim}
SUITE=${DEVENV_BASE_SUITE:-bookworm}
CACHE_DIR=${DEVENV_CACHE_DIR:-/var/cache/devenv}
TARBALL="$CACHE_DIR/rootfs-$SUITE-minbase-$(dpkg --print-architecture 2>/dev/null || uname -m).tar"
PULL_TIMEOUT=${DEVENV_PULL_TIMEOUT:-60}

image_exists() { docker image inspect "$IMAGE" >/dev/null 2>&1; }

try_pull() {
  log "pulling $IMAGE (timeout ${PULL_TIMEOUT} s)"
  if timeout "$PULL_TIMEOUT" docker pull -q "$IMAGE" >&2; then
    return 0
  fi
  log "pull failed (no registry reachable?); building $IMAGE locally instead"
  return 1
}

build_rootfs_tarball() {
  is_root || die "debootstrap needs root; run as root, or pull $IMAGE where a registry is reachable"
  have debootstrap || apt_install debootstrap
  local mirror work
  mirror=$(debian_mirror)
  mkdir -p "$CACHE_DIR"
  work=$(mktemp -d "$CACHE_DIR/rootfs.XXXXXX")
  # shellcheck disable=SC2064 # expand now: the path is fixed
  trap "rm -rf '$work'" EXIT
  log "debootstrap --variant=minbase $SUITE from $mirror (about a minute)"
  debootstrap --variant=minbase "$SUITE" "$work" "$mirror" >&2
  # Keep apt in the image small and quiet, like the official slim image.
  rm -rf "$work"/var/lib/apt/lists/* "$work"/var/cache/apt/archives/*.deb
  log "caching the rootfs as $TARBALL"
  tar -C "$work" -cf "$TARBALL.partial" .
  mv "$TARBALL.partial" "$TARBALL"
  rm -rf "$work"
  trap - EXIT
}

import_tarball() {
  log "docker import $TARBALL as $IMAGE"
  docker import --change 'CMD ["bash"]' "$TARBALL" "$IMAGE" >&2
}

main() {
  if image_exists; then
    log "$IMAGE is present: $(docker image inspect -f '{{.Id}}' "$IMAGE" | cut -c1-19)"
    return 0
  fi
  try_pull && return 0
  if [ -s "$TARBALL" ]; then
    log "reusing cached rootfs $TARBALL"
  else
    build_rootfs_tarball
  fi
  import_tarball
  image_exists || die "$IMAGE is still missing after the import"
  log "$IMAGE is ready"
}

main "$@"
