import type { EngineEvent, ProjectStatus } from '@devenv/engine';
import { ErrorCodes } from '@devenv/engine/protocol';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stripAnsi } from '../../output/terminal-text.js';
import { TuiControl } from '../control.js';
import { emptyUpResult, FakeTuiClient, sampleStatus } from '../fake-client.js';
import { type TuiOutcome, UpApp, type UpAppOptions } from './app.js';

const ts = '2026-01-01T10:00:05.000Z';
const log = (service: string, line: string): EngineEvent => ({ kind: 'log', ts, service, stream: 'stdout', line });
const settle = (ms = 40) => new Promise((r) => setTimeout(r, ms));
/** Retry an assertion on the frame until it holds (renders are asynchronous; the machine may be busy). */
const see = (assertion: () => void) => vi.waitFor(assertion, { timeout: 3000, interval: 20 });
const keys = { up: '\x1b[A', down: '\x1b[B', enter: '\r', esc: '\x1b', pageUp: '\x1b[5~', ctrlC: '\x03' };

let unmount: (() => void) | undefined;
afterEach(() => {
  unmount?.();
  unmount = undefined;
});

async function start(
  opts: { status?: ProjectStatus; history?: EngineEvent[]; options?: Partial<UpAppOptions> } = {},
  handlers: ConstructorParameters<typeof FakeTuiClient>[1] = {},
) {
  const client = new FakeTuiClient(opts.status ?? sampleStatus(), handlers, opts.history ?? []);
  const outcomes: TuiOutcome[] = [];
  const opened: string[] = [];
  const control = new TuiControl();
  const r = render(
    <UpApp
      client={client}
      onExit={(o) => outcomes.push(o)}
      options={{
        project: 'shop',
        hyperlinks: false,
        colour: false,
        runUp: true,
        size: { columns: 100, rows: 30 },
        frameMs: 5,
        now: () => Date.parse('2026-01-01T10:02:05.000Z'),
        openUrl: async (url) => {
          opened.push(url);
        },
        control,
        volumes: ['shop_pgdata'],
        ...opts.options,
      }}
    />,
  );
  unmount = r.unmount;
  await settle();
  const frame = () => stripAnsi(r.lastFrame() ?? '');
  const press = async (...input: string[]) => {
    for (const i of input) {
      r.stdin.write(i);
      await settle(20);
    }
    await settle();
  };
  return { client, outcomes, opened, control, frame, press, r };
}

describe('UpApp: attaching', () => {
  it('subscribes with history, shows the status, brings the environment up', async () => {
    const { client, frame } = await start({ history: [log('backend', 'from history')] });
    expect(client.calls.slice(0, 3)).toEqual(['attach replayLogs=5000', 'timeline', 'up']);
    await see(() => expect(frame()).toContain('up: 0 services settled'));
    const out = frame();
    expect(out).toContain('shop');
    expect(out).toContain('Docker 27.3.1 (API 1.47)');
    expect(out).toContain('2/3 healthy');
    expect(out).toMatch(/▶ postgres\s+● healthy/);
    expect(out).toContain('backend  │ from history');
    expect(out).toContain('up: 0 services settled');
    const lines = out.split('\n');
    expect(lines).toHaveLength(29);
    expect(lines.at(-1)!.trimEnd().endsWith('? help')).toBe(true);
  });

  it('batches a flood of events into a few frames and keeps showing the newest', async () => {
    const { client, frame, r } = await start();
    const before = r.frames.length;
    client.emit(...Array.from({ length: 2000 }, (_, i) => log('backend', `flood ${i}`)));
    await settle(80);
    expect(r.frames.length - before).toBeLessThanOrEqual(3);
    await see(() => expect(frame()).toContain('backend  │ flood 1999'));
  });

  it('renders a hostile log line harmlessly and keeps the table intact', async () => {
    const { client, frame, r } = await start();
    client.emit(log('backend', 'evil \x1b]0;pwned\x07\x1b[2J\x1b[H\x1b[10;5H end'));
    await see(() => expect(frame()).toContain('evil'));
    const raw = r.lastFrame() ?? '';
    expect(raw).not.toContain('\x1b]0;');
    expect(raw).not.toContain('\x1b[2J');
    expect(raw).not.toMatch(/\x1b\[\d*;?\d*H/);
    const out = stripAnsi(raw);
    expect(out).toContain('backend  │ evil  end');
    expect(out).toMatch(/SERVICE\s+STATE\s+HEALTH/);
    expect(out).toMatch(/worker\s+✗ exited \(3\)/);
  });

  it('leaves for the command to print a config error', async () => {
    const err = Object.assign(new Error('bad config'), { code: ErrorCodes.userError });
    const { outcomes } = await start({}, { up: () => Promise.reject(err) });
    await see(() => expect(outcomes).toEqual([{ kind: 'failed', error: err }]));
  });

  it('shows a config error that arrives just after the connection closed', async () => {
    const err = Object.assign(new Error('bad config'), { code: ErrorCodes.userError });
    let reject: (e: unknown) => void = () => undefined;
    const { client, outcomes } = await start({}, { up: () => new Promise((_, r) => (reject = r)) });
    client.drop();
    await settle(50);
    reject(err);
    await see(() => expect(outcomes).toEqual([{ kind: 'failed', error: err }]));
  });

  it('shows a runtime failure of up as a notice and stays', async () => {
    const { frame, outcomes } = await start(
      {},
      { up: async () => ({ ...emptyUpResult, failed: [{ service: 'worker', message: 'exited with code 3' }] }) },
    );
    expect(outcomes).toEqual([]);
    await see(() => expect(frame()).toContain('failed: worker (exited with code 3)'));
  });

  it('says the daemon went away when the connection ends unasked', async () => {
    const { client, outcomes } = await start();
    client.drop();
    await settle();
    await see(() => expect(outcomes).toEqual([{ kind: 'daemon-gone' }]));
  });
});

describe('UpApp: keys', () => {
  it('↑/↓ and j/k select', async () => {
    const { frame, press } = await start();
    await press(keys.down);
    await see(() => expect(frame()).toContain('▶ backend'));
    await press('j');
    await see(() => expect(frame()).toContain('▶ worker'));
    await press('k', keys.up);
    await see(() => expect(frame()).toContain('▶ postgres'));
  });

  it('enter focuses the selected service, esc goes back to all', async () => {
    const { client, frame, press } = await start();
    client.emit(log('postgres', 'pg line'), log('backend', 'api line'));
    await press('j', keys.enter);
    await see(() => expect(frame()).toContain('─ logs backend'));
    await see(() => expect(frame()).toContain('api line'));
    await see(() => expect(frame()).not.toContain('pg line'));
    await press(keys.esc);
    await see(() => expect(frame()).toContain('─ logs all services'));
    await see(() => expect(frame()).toContain('pg line'));
  });

  it('/ filters as you type; enter keeps it, esc clears it', async () => {
    const { client, frame, press } = await start();
    client.emit(log('backend', 'GET /health'), log('backend', 'POST /orders'));
    await press('/', 'o', 'r', 'd');
    await see(() => expect(frame()).toContain(' / ord▏'));
    await see(() => expect(frame()).toContain('POST /orders'));
    await see(() => expect(frame()).not.toContain('GET /health'));
    await press(keys.enter);
    await see(() => expect(frame()).not.toContain(' / ord▏'));
    await see(() => expect(frame()).toContain('─ logs all services · filter "ord"'));
    await press(keys.esc);
    await see(() => expect(frame()).toContain('GET /health'));
  });

  it('a typed run like "/ord⏎" arrives as one input and still works', async () => {
    const { client, frame, press } = await start();
    client.emit(log('backend', 'GET /health'), log('backend', 'POST /orders'));
    await press('/ord\r');
    await see(() => expect(frame()).toContain('filter "ord"'));
    await see(() => expect(frame()).not.toContain('GET /health'));
  });

  it('PgUp scrolls back, g goes to the top, G follows again', async () => {
    const { client, frame, press } = await start();
    client.emit(...Array.from({ length: 200 }, (_, i) => log('backend', `line ${i}`)));
    await settle();
    await press(keys.pageUp);
    await see(() => expect(frame()).toMatch(/scrolled · \d+ newer \(G follows\)/));
    await see(() => expect(frame()).not.toContain('line 199'));
    await press('g');
    await see(() => expect(frame()).toContain('scrolled to the top'));
    await see(() => expect(frame()).toContain('line 0'));
    await press('G');
    await see(() => expect(frame()).toContain('following'));
    await see(() => expect(frame()).toContain('line 199'));
  });

  it('t toggles timestamps', async () => {
    const { client, frame, press } = await start();
    client.emit(log('backend', 'stamped'));
    await press('t');
    await see(() => expect(frame()).toContain('10:00:05.000 backend  │ stamped'));
    await press('t');
    await see(() => expect(frame()).not.toContain('10:00:05.000'));
  });

  it('r restarts the selected service and reports it', async () => {
    const { client, frame, press } = await start();
    await press('j', 'r');
    expect(client.calls).toContain('restart backend');
    await see(() => expect(frame()).toContain('backend restarted'));
  });

  it('r reports a failed restart', async () => {
    const { frame, press } = await start({}, { restart: () => Promise.reject(new Error('no instance')) });
    await press('r');
    await see(() => expect(frame()).toContain('restart postgres: no instance'));
  });

  it('b rebuilds the selected service and says what happened', async () => {
    const { client, frame, press } = await start(
      {},
      { rebuild: async () => ({ ...emptyUpResult, actions: { backend: 'recreated' } }) },
    );
    await press('j', 'b');
    expect(client.calls).toContain('rebuild backend');
    await see(() => expect(frame()).toContain('backend: recreated'));
  });

  it('s says resync is not available yet', async () => {
    const { frame, press } = await start();
    await press('s');
    await see(() => expect(frame()).toContain('resync: not available yet'));
  });

  it('d shows debug attach details; esc closes them', async () => {
    const { frame, press } = await start();
    await press('j', 'd');
    await see(() => expect(frame()).toContain('─ debug backend'));
    await see(() => expect(frame()).toContain('"type": "debugpy"'));
    await press(keys.esc);
    await see(() => expect(frame()).toContain('─ logs all services'));
  });

  it('o opens the URL, or says there is none', async () => {
    const { frame, opened, press } = await start();
    await press('o');
    await see(() => expect(frame()).toContain('postgres has no URL'));
    await press('j', 'o');
    expect(opened).toEqual(['http://127.0.0.1:8000']);
    await see(() => expect(frame()).toContain('opened http://127.0.0.1:8000'));
  });

  it('o prints the URL when no opener works', async () => {
    const { frame, press } = await start({
      options: { openUrl: () => Promise.reject(new Error('ENOENT')) },
    });
    await press('j', 'o');
    await see(() => expect(frame()).toContain('open http://127.0.0.1:8000 yourself'));
  });

  it('R asks first, naming the volumes; n cancels; y resets', async () => {
    const { client, frame, press } = await start();
    await press('R');
    await see(() => expect(frame()).toContain('─ reset'));
    await see(() => expect(frame()).toContain('named volumes DELETED, with their data: shop_pgdata'));
    await press('n');
    await see(() => expect(frame()).not.toContain('─ reset'));
    expect(client.calls).not.toContain('reset hard');
    await press('R', 'y');
    expect(client.calls).toContain('reset hard');
    await see(() => expect(frame()).toContain('reset done'));
  });

  it('R on Kubernetes: s resets soft, h hard', async () => {
    const status = sampleStatus({
      runtime: 'kubernetes',
      runtimeDetail: 'kind-devenv',
      cluster: { name: 'kind-devenv', context: 'kind-devenv' },
    });
    const { client, frame, press } = await start({ status });
    await press('R');
    await see(() => expect(frame()).toContain('h  hard: delete and recreate kind-devenv'));
    await press('s');
    expect(client.calls).toContain('reset soft');
    await press('R', 'h');
    expect(client.calls).toContain('reset hard');
  });

  it('? shows the help; ? closes it', async () => {
    const { frame, press } = await start();
    await press('?');
    await see(() => expect(frame()).toContain('─ keys'));
    await see(() => expect(frame()).toContain('take the environment down and quit'));
    await press('?');
    await see(() => expect(frame()).not.toContain('─ keys'));
  });

  it('q leaves the environment running', async () => {
    const { client, outcomes, press } = await start();
    await press('q');
    await see(() => expect(outcomes).toEqual([{ kind: 'detached' }]));
    expect(client.calls).not.toContain('down');
  });

  it('Q takes it down, showing "stopping…" until done', async () => {
    let finish: () => void = () => undefined;
    const { client, frame, outcomes, press } = await start(
      {},
      { down: () => new Promise<void>((resolve) => (finish = resolve)) },
    );
    await press('Q');
    await see(() => expect(client.calls).toContain('down'));
    await see(() => expect(frame()).toContain('stopping…'));
    await see(() => expect(frame()).toContain('0/3 services stopped'));
    finish();
    await settle();
    await see(() => expect(outcomes).toEqual([{ kind: 'down' }]));
  });

  it('ctrl-c is like Q; a second ctrl-c leaves the rest running', async () => {
    const { client, outcomes, press } = await start({}, { down: () => new Promise<void>(() => undefined) });
    await press(keys.ctrlC);
    await see(() => expect(client.calls).toContain('down'));
    expect(outcomes).toEqual([]);
    await press(keys.ctrlC);
    await see(() => expect(outcomes).toEqual([{ kind: 'detached' }]));
  });

  it('the daemon exiting after down counts as down', async () => {
    const { client, outcomes, press } = await start({}, { down: () => new Promise<void>(() => undefined) });
    await press('Q');
    client.drop();
    await settle();
    await see(() => expect(outcomes).toEqual([{ kind: 'down' }]));
  });

  it('the environment taken down elsewhere (devenv down, Q in another terminal) counts as down', async () => {
    const { client, outcomes } = await start();
    client.emit({ kind: 'project', ts, phase: 'stopping' });
    client.drop();
    await see(() => expect(outcomes).toEqual([{ kind: 'down' }]));
  });

  it('signals: SIGINT takes it down, SIGTERM leaves it running', async () => {
    const a = await start();
    a.control.request('down');
    await settle();
    expect(a.client.calls).toContain('down');
    expect(a.outcomes).toEqual([{ kind: 'down' }]);
    a.r.unmount();
    const b = await start();
    b.control.request('quit');
    await settle();
    expect(b.outcomes).toEqual([{ kind: 'detached' }]);
  });
});
