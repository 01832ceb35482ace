// The `devenv up` control room: wires the daemon client, the reducer and the views. Events are
// batched to one state update per frame; keys become reducer actions or effects (requests to
// the daemon, opening a URL, quitting), carried out here and reported in the footer.

import type { EngineEvent } from '@devenv/engine';
import { ErrorCodes, type UpResultWire } from '@devenv/engine/protocol';
import { Box, useApp, useInput, useStdout } from 'ink';
import { type ReactNode, useCallback, useEffect, useReducer, useRef } from 'react';
import type { TuiClient } from '../client.js';
import type { TuiControl } from '../control.js';
import { EventBatcher } from '../event-batcher.js';
import { type Effect, isEffect, keyIntent, splitKeys } from '../keys.js';
import { layout } from '../state/layout.js';
import { initialState, reduce, selectedService, type TuiState } from '../state/reducer.js';
import { Footer } from './footer.js';
import { Header } from './header.js';
import { ColourContext } from './line.js';
import { LogPane } from './log-pane.js';
import { DebugOverlay, HelpOverlay, ResetDialog } from './overlays.js';
import { ProgressBars } from './progress-bars.js';
import { ServiceTable } from './service-table.js';
import { TimelinePane } from './timeline-pane.js';

export type TuiOutcome =
  /** q: the UI left; the daemon keeps the environment running. */
  | { kind: 'detached' }
  /** Q or ctrl-c: the environment was taken down. */
  | { kind: 'down' }
  /** The first `up` failed in a way the user must fix (bad config): printed by the command. */
  | { kind: 'failed'; error: unknown }
  /** The daemon connection ended unasked. */
  | { kind: 'daemon-gone' };

export interface UpAppOptions {
  project: string;
  hyperlinks: boolean;
  colour: boolean;
  /** Named volumes a reset deletes, when known. */
  volumes?: string[] | undefined;
  /** Ask the daemon to bring the environment up once attached (what `devenv up` does). */
  runUp: boolean;
  /** A fixed size (tests); otherwise the terminal's, following resizes. */
  size?: { columns: number; rows: number };
  frameMs?: number;
  replayLogs?: number;
  now?: () => number;
  openUrl?: (url: string) => Promise<void>;
  control?: TuiControl;
}

const REPLAY_LOGS = 5000;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function UpApp({
  client,
  options,
  onExit,
}: {
  client: TuiClient;
  options: UpAppOptions;
  onExit: (outcome: TuiOutcome) => void;
}) {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const now = options.now ?? Date.now;
  const terminalSize = () => ({ columns: stdout.columns || 100, rows: stdout.rows || 30 });
  const [state, dispatch] = useReducer(reduce, undefined, () =>
    initialState({
      project: options.project,
      now: now(),
      volumes: options.volumes,
      ...(options.size ?? terminalSize()),
    }),
  );
  const stateRef = useRef<TuiState>(state);
  stateRef.current = state;
  const finished = useRef(false);
  const stopping = useRef(false);

  const finish = useCallback(
    (outcome: TuiOutcome) => {
      if (finished.current) return;
      finished.current = true;
      onExit(outcome);
      exit();
    },
    [exit, onExit],
  );
  const notice = useCallback(
    (text: string, level: 'info' | 'success' | 'error' = 'info') => dispatch({ type: 'notice', text, level }),
    [],
  );

  const runEffect = useCallback(
    (e: Effect) => {
      const s = stateRef.current;
      switch (e.effect) {
        case 'restart':
          notice(`restarting ${e.service}…`);
          client.restart(e.service).then(
            () => notice(`${e.service} restarted`, 'success'),
            (err) => notice(`restart ${e.service}: ${message(err)}`, 'error'),
          );
          return;
        case 'rebuild':
          notice(`rebuilding ${e.service}…`);
          client.rebuild(e.service).then(
            (r) => {
              const failed = r.failed.find((f) => f.service === e.service) ?? r.failed[0];
              if (failed) notice(`rebuild ${failed.service}: ${failed.message}`, 'error');
              else notice(`${e.service}: ${r.actions[e.service] ?? 'rebuilt'}`, 'success');
            },
            (err) => notice(`rebuild ${e.service}: ${message(err)}`, 'error'),
          );
          return;
        case 'debug':
          notice(`starting ${e.service} under its debugger…`);
          client.debug(e.service).then(
            (r) => {
              const failed = r.failed.find((f) => f.service === e.service) ?? r.failed[0];
              const d = r.services.find((x) => x.name === e.service)?.debug;
              if (failed) notice(`debug ${failed.service}: ${failed.message}`, 'error');
              else if (d) notice(`${e.service}: debugger on ${d.hostIp}:${d.hostPort} (d: how to attach)`, 'success');
              else notice(`debug ${e.service}: no debugger answers (its log says why)`, 'error');
            },
            (err) => notice(`debug ${e.service}: ${message(err)}`, 'error'),
          );
          return;
        case 'resync':
          if (!client.resync) {
            notice('resync: not available yet (the daemon protocol has no resync request)');
            return;
          }
          notice(`resyncing ${e.service}…`);
          client.resync(e.service).then(
            () => notice(`${e.service} resynced`, 'success'),
            (err) => notice(`resync ${e.service}: ${message(err)}`, 'error'),
          );
          return;
        case 'open': {
          const url = s.services.find((x) => x.name === e.service)?.url;
          if (!url) {
            notice(`${e.service} has no URL (no published HTTP port, no x-devenv.url)`);
            return;
          }
          const open = options.openUrl;
          if (!open) {
            notice(`${e.service}: ${url}`);
            return;
          }
          open(url).then(
            () => notice(`opened ${url}`, 'success'),
            () => notice(`no browser opener found; open ${url} yourself`),
          );
          return;
        }
        case 'reset':
          dispatch({ type: 'overlay', overlay: { kind: 'none' } });
          dispatch({ type: 'busy', busy: 'resetting' });
          client.reset(e.mode).then(
            (r) => {
              dispatch({ type: 'busy', busy: undefined });
              if (r.failed.length > 0)
                notice(`reset: ${r.failed.map((f) => `${f.service}: ${f.message}`).join('; ')}`, 'error');
              else notice(`reset done: ${r.services.length} services up from scratch`, 'success');
            },
            (err) => {
              dispatch({ type: 'busy', busy: undefined });
              notice(`reset: ${message(err)}`, 'error');
            },
          );
          return;
        case 'quit':
          finish({ kind: 'detached' });
          return;
        case 'down':
          if (stopping.current) return;
          stopping.current = true;
          dispatch({ type: 'overlay', overlay: { kind: 'none' } });
          dispatch({ type: 'busy', busy: 'stopping' });
          client.down().then(
            () => finish({ kind: 'down' }),
            (err) => {
              stopping.current = false;
              dispatch({ type: 'busy', busy: undefined });
              notice(`down: ${message(err)}`, 'error');
            },
          );
          return;
      }
    },
    [client, finish, notice, options.openUrl],
  );

  // Attach (history, then status), then bring the environment up; events batched per frame.
  const { control, frameMs, replayLogs, runUp, size: fixedSize } = options;
  useEffect(() => {
    const batcher = new EventBatcher<EngineEvent>((events) => dispatch({ type: 'events', events }), {
      ...(frameMs ? { frameMs, floodFrameMs: frameMs * 2 } : {}),
    });
    // The last phase the daemon announced: if it was stopping, someone (Q here, or `devenv down`
    // or Q in another terminal) took the environment down, and the daemon leaving is expected.
    let phase: string | undefined;
    const onEvent = (e: EngineEvent) => {
      if (e.kind === 'project') phase = e.phase;
      batcher.push(e);
    };
    // Settles once the first `up` has its answer (or at once when none was sent).
    let upSettled: Promise<unknown> = Promise.resolve();
    client.onClose(() => {
      batcher.flush();
      const wentDown = stopping.current || phase === 'stopping' || phase === 'stopped';
      // A daemon that answers a config error and exits may close the connection before that
      // answer is handed over: give it a moment, so the error (which ends the UI first) is shown.
      const grace = new Promise((resolve) => setTimeout(resolve, 500));
      void Promise.race([upSettled, grace]).then(() => finish(wentDown ? { kind: 'down' } : { kind: 'daemon-gone' }));
    });
    const onUp = (r: UpResultWire) => {
      if (r.failed.length > 0)
        notice(`failed: ${r.failed.map((f) => `${f.service} (${f.message})`).join(', ')}`, 'error');
      else
        notice(
          `up: ${r.services.length} services settled${r.metricsUrl ? ` · metrics ${r.metricsUrl}` : ''} · w: where the time went`,
          'success',
        );
    };
    const onUpError = (err: unknown) => {
      if (stopping.current || finished.current) return;
      // A config the user must fix: leave the screen so the command prints it with its locations.
      if ((err as { code?: number }).code === ErrorCodes.userError) finish({ kind: 'failed', error: err });
      else notice(`up: ${message(err)}`, 'error');
    };
    client
      .attach(onEvent, { replayLogs: replayLogs ?? REPLAY_LOGS })
      .then((status) => {
        batcher.flush();
        dispatch({ type: 'snapshot', status });
        // The up already under way (or the last one): span events only tell what happens from now.
        client.timeline?.().then(
          (timeline) => dispatch({ type: 'timeline', timeline: timeline ?? undefined }),
          () => undefined,
        );
        if (!runUp) return;
        // Settles after its answer was handled, so a close waiting on it sees the error first.
        upSettled = client.up().then(onUp, onUpError);
        return upSettled;
      })
      .catch(onUpError);
    const tick = setInterval(() => dispatch({ type: 'tick', now: now() }), 1000);
    const unsubscribe = control?.on((r) => runEffect({ effect: r }));
    return () => {
      batcher.dispose();
      clearInterval(tick);
      unsubscribe?.();
    };
    // Runs once in practice: the client, the options and these callbacks live as long as the app.
  }, [client, control, finish, frameMs, notice, now, replayLogs, runEffect, runUp]);

  useEffect(() => {
    if (fixedSize) return;
    const onResize = () => dispatch({ type: 'resize', columns: stdout.columns || 100, rows: stdout.rows || 30 });
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, fixedSize]);

  useInput((input, key) => {
    for (const k of splitKeys(input, key)) {
      const intent = keyIntent(stateRef.current, k.input, k.key);
      if (!intent) continue;
      if (isEffect(intent)) runEffect(intent);
      else {
        // Later keys of the same run must see this one's effect before React renders it.
        stateRef.current = reduce(stateRef.current, intent);
        dispatch(intent);
      }
    }
  });

  const l = layout(state);
  const width = l.width;
  const prefixWidth = Math.min(16, Math.max(6, ...state.services.map((s) => s.name.length)));
  const paneHeight = l.logRows;
  let pane: ReactNode;
  switch (state.overlay.kind) {
    case 'help':
      pane = <HelpOverlay height={paneHeight} width={width} />;
      break;
    case 'debug':
      pane = (
        <DebugOverlay
          status={state.services.find((s) => s.name === (state.overlay as { service: string }).service)}
          projectDir={state.project.dir}
          height={paneHeight}
          width={width}
        />
      );
      break;
    case 'reset':
      pane = <ResetDialog project={state.project} volumes={state.volumes} height={paneHeight} width={width} />;
      break;
    case 'timeline':
      pane = <TimelinePane timeline={state.timeline} now={state.now} height={paneHeight} width={width} />;
      break;
    case 'none':
      pane = (
        <LogPane
          logs={state.logs}
          height={paneHeight}
          width={width}
          focus={state.focus}
          filter={state.filter}
          editingFilter={state.editingFilter}
          anchorSeq={state.anchorSeq}
          timestamps={state.timestamps}
          colours={state.colours}
          prefixWidth={prefixWidth}
        />
      );
  }
  return (
    <ColourContext.Provider value={options.colour}>
      <Box flexDirection="column" width={width} height={Math.max(1, state.size.rows - 1)}>
        <Header project={state.project} services={state.services} width={width} />
        <ServiceTable
          services={state.services}
          selected={selectedService(state)?.name}
          focus={state.focus}
          rows={l.tableRows}
          offset={l.tableOffset}
          width={width}
          now={state.now}
          hyperlinks={options.hyperlinks}
        />
        <ProgressBars progress={state.progress} rows={l.progressRows} width={width} />
        {pane}
        <Footer
          width={width}
          editingFilter={state.editingFilter}
          filter={state.filter}
          busy={state.busy}
          notice={state.notice}
          services={state.services}
        />
      </Box>
    </ColourContext.Provider>
  );
}
