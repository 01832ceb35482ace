#!/usr/bin/env bash
# Makes sure a Docker engine answers `docker info`.
#  - An engine that already answers (Docker Desktop, colima, a CI service, a running dockerd)
#    is used as is: nothing is installed or started.
#  - Otherwise, only when allowed (DEVENV_ALLOW_ENGINE_INSTALL=1, or under CI) and only as root
#    on Debian: install docker.io, clear a stale pid file, start dockerd, wait for it.
#  - Otherwise: say what to do and exit 1. A user's machine never gets an engine unasked.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PIDFILE=${DOCKER_PIDFILE:-/var/run/docker.pid}
LOGFILE=${DOCKERD_LOG:-/var/log/dockerd.log}
WAIT_SECONDS=${DOCKERD_WAIT_SECONDS:-30}

engine_answers() { have docker && docker info >/dev/null 2>&1; }

allowed_to_start() {
  [ "${DEVENV_ALLOW_ENGINE_INSTALL:-}" = 1 ] || in_ci
}

print_user_instructions() {
  cat >&2 <<MSG
$DEVENV_SCRIPT_NAME: no Docker engine answers 'docker info'.
  To fix it, do one of these:
  - start the engine you have (Docker Desktop, colima start, or: sudo systemctl start docker);
  - if 'docker info' says "permission denied", add yourself to the docker group
    (sudo usermod -aG docker \$USER) and log in again;
  - on Debian/Ubuntu as root, let this script install and start one:
      DEVENV_ALLOW_ENGINE_INSTALL=1 $0
MSG
}

# A pid file left by a dockerd that died uncleanly makes a new dockerd refuse to start.
# Remove it only when no running dockerd owns that pid.
clear_stale_pidfile() {
  [ -e "$PIDFILE" ] || return 0
  local pid
  pid=$(tr -dc '0-9' <"$PIDFILE" || true)
  if [ -n "$pid" ] && [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" = dockerd ]; then
    die "dockerd (pid $pid, from $PIDFILE) is running but 'docker info' fails; see $LOGFILE or stop it (kill $pid) and run this again"
  fi
  log "removing stale $PIDFILE (pid '${pid:-?}' is not a running dockerd)"
  rm -f "$PIDFILE"
}

main() {
  if engine_answers; then
    log "Docker engine is running: $(docker version --format 'server {{.Server.Version}}, API {{.Server.APIVersion}}' 2>/dev/null || echo ok)"
    return 0
  fi
  if ! allowed_to_start; then
    print_user_instructions
    return 1
  fi
  is_root || die "starting a Docker engine needs root; run as root or start your engine yourself"
  is_debian || die "installing a Docker engine is automated on Debian only; install Docker for your system and start it"

  if ! have dockerd; then
    log "no Docker engine found: installing Debian's docker.io (dockerd, containerd, runc)"
    apt_install docker.io
  fi
  clear_stale_pidfile
  log "starting dockerd in the background (log: $LOGFILE)"
  setsid dockerd >"$LOGFILE" 2>&1 < /dev/null &
  if ! wait_for "$WAIT_SECONDS" "docker info" docker info; then
    tail -n 20 "$LOGFILE" >&2 || true
    die "dockerd did not answer within ${WAIT_SECONDS} s; its log is above ($LOGFILE)"
  fi
  log "Docker engine is running: $(docker version --format 'server {{.Server.Version}}, API {{.Server.APIVersion}}')"
}

main "$@"
