// The backend's API, always through the dev server's /api proxy (same origin, no CORS).

async function request(path, options) {
  const response = await fetch(`/api${path}`, {
    headers: { 'Content-Type': 'application/json' },
    ...options,
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok && response.status !== 503) {
    throw new Error(
      `${options?.method ?? 'GET'} /api${path}: HTTP ${response.status} ${JSON.stringify(body.detail ?? body)}`,
    );
  }
  return { status: response.status, body };
}

export const getHealth = () => request('/health');

export const createTask = (kind, payload) =>
  request('/tasks', { method: 'POST', body: JSON.stringify({ kind, payload }) }).then((r) => r.body);

export const getTask = (taskId) => request(`/tasks/${taskId}`).then((r) => r.body);

export const listTasks = () => request('/tasks?limit=5').then((r) => r.body);

const FINAL_STATES = new Set(['SUCCESS', 'FAILURE', 'REVOKED']);

/** Polls a task until it reaches a final state; calls onUpdate with each poll's body. */
export async function waitForTask(taskId, onUpdate, { intervalMs = 500, timeoutMs = 30_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const task = await getTask(taskId);
    onUpdate(task);
    if (FINAL_STATES.has(task.state)) return task;
    if (Date.now() > deadline) throw new Error(`task ${taskId} still ${task.state} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
