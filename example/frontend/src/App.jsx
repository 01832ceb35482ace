import { useCallback, useEffect, useState } from 'react';
import { createTask, getHealth, listTasks, waitForTask } from './api.js';

function HealthPanel() {
  const [health, setHealth] = useState({ state: 'loading' });

  const refresh = useCallback(() => {
    getHealth()
      .then(({ status, body }) => setHealth({ state: status === 200 ? 'ok' : 'degraded', body }))
      .catch((error) => setHealth({ state: 'unreachable', error: error.message }));
  }, []);

  useEffect(() => {
    refresh();
    const timer = setInterval(refresh, 5000);
    return () => clearInterval(timer);
  }, [refresh]);

  return (
    <section>
      <h2>Backend health</h2>
      <p>
        <span className={`badge ${health.state}`} data-testid="health-status">
          {health.state}
        </span>
        {health.body && (
          <span className="detail">
            db: {health.body.db} · redis: {health.body.redis}
          </span>
        )}
        {health.error && <span className="detail">{health.error}</span>}
      </p>
    </section>
  );
}

function TaskForm({ onFinished }) {
  const [text, setText] = useState('the quick brown fox jumps over the lazy dog the end');
  const [task, setTask] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await createTask('word_count', { text });
      setTask(created);
      await waitForTask(created.task_id, setTask);
      onFinished();
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section>
      <h2>Word count (a Celery task)</h2>
      <form onSubmit={submit}>
        <textarea value={text} onChange={(e) => setText(e.target.value)} rows={3} />
        <button type="submit" disabled={busy} data-testid="run-task">
          {busy ? 'Running…' : 'Count words'}
        </button>
      </form>
      {task && (
        <div className="task" data-testid="task">
          <div>
            task <code>{task.task_id}</code>: <strong data-testid="task-state">{task.state}</strong>
          </div>
          {task.result && <pre data-testid="task-result">{JSON.stringify(task.result)}</pre>}
        </div>
      )}
      {error && <p className="error">{error}</p>}
    </section>
  );
}

// Keyed by the parent's task counter: a finished task remounts it, which refetches.
function RecentTasks() {
  const [tasks, setTasks] = useState([]);
  useEffect(() => {
    listTasks()
      .then(setTasks)
      .catch(() => setTasks([]));
  }, []);
  if (tasks.length === 0) return null;
  return (
    <section>
      <h2>Recent tasks</h2>
      <ul>
        {tasks.map((t) => (
          <li key={t.task_id}>
            #{t.id} {t.kind}: {t.state}
          </li>
        ))}
      </ul>
    </section>
  );
}

export default function App() {
  const [version, setVersion] = useState(0);
  return (
    <main>
      <h1>devenv reference stack</h1>
      <HealthPanel />
      <TaskForm onFinished={() => setVersion((v) => v + 1)} />
      <RecentTasks key={version} />
    </main>
  );
}
