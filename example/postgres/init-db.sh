#!/bin/sh
# Create a PostgreSQL data directory once: init-db.sh DATA_DIR
# Used by the image's entrypoint and by devenv's process runtime (x-devenv.process.init).
# Reads POSTGRES_USER (default app), POSTGRES_DB (default app) and POSTGRES_PASSWORD: with a
# password, TCP connections need it (scram-sha-256); without one they are trusted (host
# processes listening on 127.0.0.1 only). Must run as the user that will own the server:
# initdb refuses root.
set -eu

data_dir=${1:?usage: init-db.sh DATA_DIR}
user=${POSTGRES_USER:-app}
db=${POSTGRES_DB:-app}

if [ -s "$data_dir/PG_VERSION" ]; then
  echo "init-db: $data_dir already initialised"
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  echo "init-db: refusing to run as root; run it as the user that runs postgres (e.g. runuser -u postgres -- $0 $data_dir)" >&2
  exit 1
fi

# Debian keeps the server binaries off PATH.
if ! command -v initdb >/dev/null 2>&1; then
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && PATH="$dir:$PATH"
  done
fi

if [ -n "${POSTGRES_PASSWORD:-}" ]; then
  auth=scram-sha-256
  pwfile=$(mktemp)
  trap 'rm -f "$pwfile"' EXIT
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  set -- --pwfile="$pwfile"
else
  auth=trust
  set --
fi

echo "init-db: initdb -D $data_dir (superuser $user, host auth $auth)"
mkdir -p "$data_dir"
initdb -D "$data_dir" --username="$user" --encoding=UTF8 --locale=C.UTF-8 \
  --auth-local=trust --auth-host="$auth" "$@" >/dev/null
# initdb only allows 127.0.0.1 and ::1; containers are reached over their network.
printf 'host all all 0.0.0.0/0 %s\nhost all all ::/0 %s\n' "$auth" "$auth" >>"$data_dir/pg_hba.conf"

if [ "$db" != postgres ]; then
  echo "init-db: CREATE DATABASE $db"
  echo "CREATE DATABASE \"$db\" OWNER \"$user\";" | postgres --single -D "$data_dir" postgres >/dev/null
fi
echo "init-db: done"
