#!/usr/bin/env node
// The reference stack's smoke test, as a CI job's test step runs it under `devenv ci`: it finds
// the services through the variables devenv ci gives it (DEVENV_HOST_BACKEND,
// DEVENV_PORT_BACKEND_8000, DEVENV_URL_FRONTEND), so it works on whatever ports the stack got.
// Checks the backend's health (database and Redis), the page through Vite, the API through
// Vite's proxy, and a Celery task's round trip. Exit 0 when all hold, 1 with the reason otherwise.
// Used by .github/workflows/ci.yml (docs/ci.md) and test/ci/ci.test.ts.

const env = process.env;
const need = (name) => {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set: run this under \`devenv ci -- node ${process.argv[1]}\``);
  return value;
};

async function get(url, init) {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: HTTP ${res.status}`);
  return res;
}

async function main() {
  const backend = `http://${need('DEVENV_HOST_BACKEND')}:${need('DEVENV_PORT_BACKEND_8000')}`;
  const frontend = need('DEVENV_URL_FRONTEND');

  const health = await (await get(`${backend}/api/health`)).json();
  console.log(`backend health: ${JSON.stringify(health)}`);
  if (health.status !== 'ok' || health.db !== 'ok' || health.redis !== 'ok')
    throw new Error('the backend is not healthy');

  const page = await (await get(`${frontend}/`)).text();
  if (!page.includes('<div id="root">')) throw new Error('the frontend page has no root element');
  console.log('frontend page: ok');

  const proxied = await (await get(`${frontend}/api/health`)).json();
  if (proxied.status !== 'ok') throw new Error('the API through the frontend proxy is not ok');
  console.log('API through the frontend proxy: ok');

  const created = await get(`${frontend}/api/tasks`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ kind: 'add', payload: { a: 2, b: 40 } }),
  });
  const { task_id: taskId } = await created.json();
  const deadline = Date.now() + 60_000;
  for (;;) {
    const task = await (await get(`${backend}/api/tasks/${taskId}`)).json();
    if (task.state === 'SUCCESS') {
      if (task.result?.sum !== 42) throw new Error(`the Celery task gave ${JSON.stringify(task.result)}`);
      console.log('Celery round trip: 2 + 40 = 42');
      return;
    }
    if (task.state === 'FAILURE' || Date.now() > deadline) throw new Error(`the Celery task is ${task.state}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

main().then(
  () => console.log('reference stack: all checks passed'),
  (err) => {
    console.error(`reference stack: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
