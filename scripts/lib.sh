#!/usr/bin/env bash
# Shared helpers for devenv's shell scripts. Source it: . "$(dirname "$0")/lib.sh"
# Messages go to stderr with the calling script's name, so stdout stays free for results.

DEVENV_SCRIPT_NAME=${DEVENV_SCRIPT_NAME:-$(basename "${0:-devenv}")}

log() { printf '%s: %s\n' "$DEVENV_SCRIPT_NAME" "$*" >&2; }

die() {
  log "error: $*"
  exit 1
}

have() { command -v "$1" >/dev/null 2>&1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

is_debian() { [ -r /etc/debian_version ] && have apt-get; }

# CI systems set CI=true (GitHub, GitLab, this project's .ci/run) or CI=1.
in_ci() {
  case "${CI:-}" in
    '' | 0 | false | FALSE | no) return 1 ;;
    *) return 0 ;;
  esac
}

# apt-get install that refreshes the package lists once per script run.
DEVENV_APT_UPDATED=${DEVENV_APT_UPDATED:-}
apt_install() {
  if [ -z "$DEVENV_APT_UPDATED" ]; then
    log "running: apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    DEVENV_APT_UPDATED=1
  fi
  log "running: apt-get install -y $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every half second until it succeeds.
wait_for() {
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "gave up waiting for $what after ${seconds} s"
      return 1
    fi
    sleep 0.5
  done
}

# The first URIs: entry of Debian's deb822 sources (bookworm's default layout), else the
# first deb line of sources.list, else the public mirror.
debian_mirror() {
  local mirror=''
  if [ -r /etc/apt/sources.list.d/debian.sources ]; then
    mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$mirror" ] && [ -r /etc/apt/sources.list ]; then
    mirror=$(awk '$1 == "deb" && $2 !~ /^\[/ { print $2; exit } $1 == "deb" { print $3; exit }' /etc/apt/sources.list)
  fi
  printf '%s\n' "${mirror:-http://deb.debian.org/debian}"
}
