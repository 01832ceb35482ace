#!/usr/bin/env bash
# What the reference stack needs to run as host processes (the process runtime): PostgreSQL 15,
# Redis, the backend's Python packages and Node.js. On Debian as root, installs what is missing
# with apt-get and says so; elsewhere prints the command to run. devenv itself never installs
# anything: this is the example stack's own set-up, run on purpose.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

want=()
have /usr/lib/postgresql/15/bin/postgres || [ -x /usr/lib/postgresql/15/bin/postgres ] || want+=(postgresql)
have redis-server || want+=(redis-server)
have redis-cli || want+=(redis-tools)
python_ok() { "$1" -c 'import fastapi, uvicorn, celery, sqlalchemy, alembic, psycopg2, redis, debugpy' >/dev/null 2>&1; }
if ! python_ok /usr/bin/python3 && ! python_ok python3; then
  want+=(python3-fastapi python3-uvicorn python3-celery python3-sqlalchemy python3-alembic python3-psycopg2 python3-redis python3-httpx python3-debugpy)
fi
# The fork reloader's tests run Flask's and Django's dev servers under debugpy with Debian's python3.
/usr/bin/python3 -c 'import flask, django, debugpy' >/dev/null 2>&1 || want+=(python3-flask python3-django python3-debugpy)
have node || want+=(nodejs)
have npm || want+=(npm)

if [ "${#want[@]}" -eq 0 ]; then
  log "process-mode prerequisites present"
  exit 0
fi
if is_root && is_debian; then
  log "the reference stack runs as host processes here; installing its prerequisites: ${want[*]}"
  apt_install "${want[@]}"
else
  die "missing for the reference stack as processes: ${want[*]}; install them (Debian/Ubuntu: sudo apt-get install ${want[*]}; macOS: brew install postgresql@15 redis python node, then pip install -r example/backend/requirements.txt)"
fi
