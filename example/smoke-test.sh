#!/usr/bin/env bash
# Round trip through the running reference stack, whatever runs it (Docker or host processes):
#   example/smoke-test.sh [BACKEND_URL] [FRONTEND_URL]
# Checks /api/health on the backend and through the frontend's Vite proxy, that the page is
# served, then enqueues a Celery task through the proxy and polls until its result is there.
set -euo pipefail

backend=${1:-http://127.0.0.1:8000}
frontend=${2:-http://127.0.0.1:5173}
timeout_s=${SMOKE_TIMEOUT:-30}

say() { printf 'smoke: %s\n' "$*" >&2; }
fail() {
  say "FAIL: $*"
  exit 1
}
json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

for url in "$backend/api/health" "$frontend/api/health"; do
  body=$(curl -fsS --max-time 5 "$url") || fail "GET $url"
  [ "$(json_field status <<<"$body")" = ok ] || fail "GET $url: $body"
  say "ok   GET $url -> $body"
done

curl -fsS --max-time 5 "$frontend/" | grep -q '<div id="root">' || fail "GET $frontend/ did not serve the page"
say "ok   GET $frontend/ serves the page"

created=$(curl -fsS --max-time 5 -X POST "$frontend/api/tasks" -H 'Content-Type: application/json' \
  -d '{"kind": "add", "payload": {"a": 2, "b": 40}}') || fail "POST $frontend/api/tasks"
task_id=$(json_field task_id <<<"$created")
say "ok   POST $frontend/api/tasks -> task $task_id"

deadline=$((SECONDS + timeout_s))
while :; do
  task=$(curl -fsS --max-time 5 "$frontend/api/tasks/$task_id") || fail "GET $frontend/api/tasks/$task_id"
  state=$(json_field state <<<"$task")
  case "$state" in
    SUCCESS) break ;;
    FAILURE | REVOKED) fail "task $task_id ended $state: $task" ;;
  esac
  [ "$SECONDS" -lt "$deadline" ] || fail "task $task_id still $state after ${timeout_s} s (is the worker running?)"
  sleep 0.2
done
result=$(json_field result <<<"$task")
[ "$result" = "{'sum': 42.0}" ] || fail "task $task_id result $result, expected {'sum': 42.0}"
say "ok   task $task_id SUCCESS with result $result"
echo "smoke: passed"
