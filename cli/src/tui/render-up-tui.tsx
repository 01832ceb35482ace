// The one entry the `up` command calls: draw the control room on the alternate screen until
// the user leaves (or the daemon goes), restore the terminal, and say how it ended. Commands
// never write JSX; they call this.

import { render } from 'ink';
import type { TuiClient } from './client.js';
import { type TuiOutcome, UpApp } from './components/app.js';
import { TuiControl } from './control.js';
import { frameStdout } from './frame-stdout.js';
import { hyperlinksSupported } from './hyperlinks.js';
import { openUrl } from './open-url.js';

export interface RenderUpTuiOptions {
  client: TuiClient;
  project: string;
  /** Named volumes a reset deletes (see declared-volumes.ts); undefined: unknown. */
  volumes?: string[] | undefined;
  /** `--hyperlinks` / `--no-hyperlinks`; undefined: detect from the environment. */
  hyperlinks?: boolean | undefined;
  colour: boolean;
  /** Bring the environment up once attached (`devenv up`); false only watches. */
  runUp: boolean;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  env?: Record<string, string | undefined>;
}

/** Bounded frame rate: at most this many redraws a second, whatever the event rate. */
export const MAX_FPS = 20;

const enterAltScreen = '\x1b[?1049h\x1b[2J\x1b[H';
const leaveAltScreen = '\x1b[?1049l\x1b[?25h';

export async function renderUpTui(opts: RenderUpTuiOptions): Promise<TuiOutcome> {
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  const control = new TuiControl();
  let outcome: TuiOutcome = { kind: 'detached' };
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    stdout.write(leaveAltScreen);
  };
  stdout.write(enterAltScreen);
  process.once('exit', restore);

  const instance = render(
    <UpApp
      client={opts.client}
      onExit={(o) => {
        outcome = o;
      }}
      options={{
        project: opts.project,
        volumes: opts.volumes,
        hyperlinks: hyperlinksSupported(opts.env ?? process.env, opts.hyperlinks),
        colour: opts.colour,
        runUp: opts.runUp,
        openUrl,
        control,
        frameMs: Math.ceil(1000 / MAX_FPS),
      }}
    />,
    {
      stdout: frameStdout(stdout),
      stdin,
      exitOnCtrlC: false,
      patchConsole: false,
      maxFps: MAX_FPS,
      // Rewrite only the rows that changed: no frame is ever erased first, so nothing flickers.
      incrementalRendering: true,
    },
  );

  // A resize reflows whatever is on screen: start the next frame from a blank screen.
  const onResize = () => {
    instance.clear();
    stdout.write('\x1b[2J\x1b[H');
  };
  stdout.prependListener('resize', onResize);
  const onSigint = () => control.request('down');
  const onLeave = () => control.request('quit');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onLeave);
  process.on('SIGHUP', onLeave);
  try {
    await instance.waitUntilExit();
  } finally {
    stdout.off('resize', onResize);
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onLeave);
    process.off('SIGHUP', onLeave);
    process.off('exit', restore);
    instance.cleanup();
    restore();
    opts.client.close();
  }
  return outcome;
}
