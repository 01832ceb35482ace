#!/usr/bin/env bash
# Installs code-server (a real VS Code in a browser, js-debug built in) for the extension's
# end-to-end tests and benchmarks, plus the headless Chromium that drives it. Prints the path
# of code-server's entry.js on stdout.
#
#  - Cached OUTSIDE the clone (default /var/cache/devenv/code-server/<version>): a second run,
#    or a second clone, costs nothing. The install is built in a temporary directory and moved
#    into place only when complete, under a lock, so an interrupted run never leaves half a tree.
#  - 4.96.4 is VS Code 1.96, the last line that runs on Node 20. Its npm install tries to reach
#    the internet in three places; each is repaired here (see docs/vscode.md and
#    /work/shared/ENVIRONMENT.md, "A real VS Code").
#  - Debian packages (headers for the native modules, ripgrep, chromium) are installed only
#    when missing, and only as root.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VERSION=${DEVENV_CODE_SERVER_VERSION:-4.96.4}
PROXY_AGENT_VERSION=0.27.0
CACHE_ROOT=${DEVENV_CODE_SERVER_CACHE:-${DEVENV_CACHE_DIR:-/var/cache/devenv}/code-server}
TARGET="$CACHE_ROOT/$VERSION"
ENTRY="$TARGET/node_modules/code-server/out/node/entry.js"
MARKER="$TARGET/.devenv-complete"

DEBS=(libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev ripgrep make g++ python3)
[ "${DEVENV_SKIP_CHROMIUM:-}" = 1 ] || DEBS+=(chromium)

missing_debs() {
  local pkg
  for pkg in "${DEBS[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || printf '%s\n' "$pkg"
  done
}

ensure_debs() {
  local missing
  mapfile -t missing < <(missing_debs)
  [ "${#missing[@]}" -eq 0 ] && return 0
  is_root && is_debian || die "missing Debian packages: ${missing[*]} (install them, or run this script as root on Debian)"
  apt_install "${missing[@]}"
}

# 1. npm-shrinkwrap.json pins @vscode/proxy-agent to a git URL: use the registry's tarball.
repair_shrinkwrap() {
  local vscode=$1 tarball
  tarball=$(npm view "@vscode/proxy-agent@$PROXY_AGENT_VERSION" dist.tarball)
  [ -n "$tarball" ] || die "npm could not resolve @vscode/proxy-agent@$PROXY_AGENT_VERSION"
  TARBALL="$tarball" node -e '
    const fs = require("node:fs");
    const file = process.argv[1];
    const lock = JSON.parse(fs.readFileSync(file, "utf8"));
    const entry = lock.packages?.["node_modules/@vscode/proxy-agent"];
    if (!entry) throw new Error("no node_modules/@vscode/proxy-agent in " + file);
    entry.resolved = process.env.TARBALL;
    delete entry.integrity;
    fs.writeFileSync(file, JSON.stringify(lock, null, 2) + "\n");
  ' "$vscode/npm-shrinkwrap.json"
}

build_into() {
  local dir=$1 vscode
  mkdir -p "$dir"
  printf '{ "name": "devenv-code-server", "private": true }\n' >"$dir/package.json"
  log "npm install code-server@$VERSION (a few minutes)"
  (cd "$dir" && npm_config_unsafe_perm=true npm install --ignore-scripts --no-audit --no-fund "code-server@$VERSION" >&2)
  vscode="$dir/node_modules/code-server/lib/vscode"
  repair_shrinkwrap "$vscode"
  log "installing VS Code's own packages"
  (cd "$vscode" && npm install --omit=dev --ignore-scripts --no-audit --no-fund >&2)
  # 2. @vscode/ripgrep downloads rg at install time: use Debian's.
  mkdir -p "$vscode/node_modules/@vscode/ripgrep/bin"
  ln -sf "$(command -v rg)" "$vscode/node_modules/@vscode/ripgrep/bin/rg"
  log "building VS Code's native modules"
  (cd "$vscode" && npm rebuild kerberos node-pty native-watchdog @vscode/spdlog @vscode/deviceid @parcel/watcher >&2)
  ln -sfn node_modules "$vscode/node_modules.asar"
  (cd "$vscode/bin/remote-cli" && ln -sf code-linux.sh code-server)
  (cd "$vscode/bin/helpers" && ln -sf browser-linux.sh browser.sh)
  log "installing the built-in extensions' packages"
  (cd "$vscode/extensions" && npm install --omit=dev --ignore-scripts --no-audit --no-fund >&2)
  # 3. argon2's prebuilt binary is a download: build it here.
  (cd "$dir" && npm rebuild argon2 >&2)
  node "$dir/node_modules/code-server/out/node/entry.js" --version >&2 || die "the installed code-server does not start"
}

main() {
  if [ -f "$MARKER" ] && [ -f "$ENTRY" ]; then
    ensure_debs
    printf '%s\n' "$ENTRY"
    return 0
  fi
  ensure_debs
  mkdir -p "$CACHE_ROOT"
  exec 9>"$CACHE_ROOT/.lock"
  flock 9
  # Another run may have finished while this one waited for the lock.
  if [ ! -f "$MARKER" ]; then
    local work started=$SECONDS
    work=$(mktemp -d "$CACHE_ROOT/.build-$VERSION.XXXXXX")
    # shellcheck disable=SC2064 # expand now: the path is fixed
    trap "rm -rf '$work'" EXIT
    build_into "$work"
    touch "$work/.devenv-complete"
    rm -rf "$TARGET"
    mv "$work" "$TARGET"
    trap - EXIT
    log "code-server $VERSION installed in $TARGET in $((SECONDS - started)) s"
  fi
  printf '%s\n' "$ENTRY"
}

main "$@"
