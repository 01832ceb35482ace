#!/bin/sh
# Initialise $PGDATA on first start (empty volume), then run the server in the foreground.
set -eu
init-db.sh "$PGDATA"
if [ "${1:-}" = postgres ]; then
  shift
  exec postgres -D "$PGDATA" "$@"
fi
exec "$@"
