// `devenv up` in a real terminal (tmux, 160×45) against the real daemon and Docker, on the
// fixture stack in test/fixtures/tui/stack: the table reaches all-healthy; a hostile log line
// changes neither the pane title nor the table; `/` filters; `R` asks, then recreates
// everything; `r` restarts a service; a resize redraws cleanly; `q` leaves the environment
// running and a second `devenv up` re-attaches to the same state; `Q` takes it down. Without a
// terminal, `up` prints plain prefixed lines as before.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBin, devenv, repoRoot } from '../helpers/cli.js';
import { dockerAvailable, idsByService, imageExists, projectContainers } from '../helpers/docker.js';
import { waitUntil } from '../helpers/wait.js';
import { TmuxSession, tmuxAvailable } from './tmux.js';

const ready = dockerAvailable() && tmuxAvailable() && imageExists('debian:bookworm-slim');
const fixture = join(repoRoot, 'test', 'fixtures', 'tui', 'stack', 'compose.yaml');
const project = `tuidev-e2e-${process.pid}`;
const port = String(18500 + (process.pid % 400));
const env = { TUI_WEB_PORT: port };
const args = ['-f', fixture, '-p', project];
const upCommand = `${process.execPath} ${cliBin} -f ${fixture} -p ${project} up`;

/** The table row of a service, split into its columns. */
function row(screen: string, service: string): string[] | undefined {
  const line = screen.split('\n').find((l) => new RegExp(`^[▶◆ ] ${service}\\s`).test(l));
  return line
    ?.slice(2)
    .trim()
    .split(/\s{2,}/);
}
const restarts = (screen: string, service: string) => Number(row(screen, service)?.[5]);
const allHealthy = (s: string) => /3\/3 healthy {2}· {2}running/.test(s);
/** Log lines shown in the pane: between its title row and the footer. */
function logLines(screen: string): string[] {
  const lines = screen.split('\n');
  const title = lines.findIndex((l) => l.startsWith('─ logs '));
  const footer = lines.findIndex((l) => /^ ↑↓ select/.test(l));
  return lines.slice(title + 1, footer - 1).filter((l) => l.trim() !== '');
}

describe.skipIf(!ready)('devenv up in a terminal (needs Docker, tmux, debian:bookworm-slim)', () => {
  const term = new TmuxSession(`tuidev-e2e-${process.pid}`);
  let titleBefore = '';

  beforeAll(async () => {
    await devenv([...args, 'down', '--volumes'], { env });
  });
  afterAll(async () => {
    term.kill();
    await devenv([...args, 'down', '--volumes'], { env });
    // The image built for this run's project name.
    spawnSync('docker', ['rmi', '-f', `${project}-web`], { stdio: 'ignore' });
  });

  it('shows the stack reaching all-healthy', async () => {
    term.start(upCommand, env);
    titleBefore = term.title();
    const s = await term.waitFor('3/3 healthy', allHealthy, 180_000);
    expect(s).toContain(project);
    expect(term.alternateScreen()).toBe(true);
    expect(s).toMatch(/Docker \d+\.\d+/);
    expect(s).toMatch(/SERVICE\s+STATE\s+HEALTH\s+PORTS\s+DEBUG\s+RESTARTS\s+SYNC\s+UPTIME/);
    expect(row(s, 'web')).toEqual(expect.arrayContaining(['● healthy', 'healthy', `127.0.0.1:${port}→8080`]));
    expect(row(s, 'ticker')?.[1]).toBe('● running');
    expect(row(s, 'worker')?.[1]).toBe('● running');
    expect(s).toMatch(/ticker +│ tick \d+/);
  });

  it('renders a log line full of escape sequences harmlessly', async () => {
    term.type('/evil');
    term.keys('Enter');
    const s = await term.waitFor(
      'the hostile line, alone',
      (x) => x.includes('filter "evil"') && logLines(x).length === 1,
    );
    expect(logLines(s)).toEqual(['ticker │ evil title  clear  home  move  end-of-evil']);
    expect(s).not.toContain('pwned');
    expect(term.title()).toBe(titleBefore);
    // The table is where it was, intact.
    const lines = s.split('\n');
    expect(lines[0]).toContain(project);
    expect(lines[1]).toMatch(/^ {2}SERVICE\s+STATE/);
    expect(row(s, 'web')?.[1]).toBe('● healthy');
    term.keys('Escape');
    await term.waitFor('the filter cleared', (x) => x.includes('─ logs all services · following'));
  });

  it('/ filters the log pane as you type', async () => {
    term.type('/needle');
    const typing = await term.waitFor('the filter prompt', (x) => x.includes(' / needle▏'));
    expect(typing).toContain('filter "needle"');
    term.keys('Enter');
    const s = await term.waitFor('filtered lines', (x) => logLines(x).length >= 3 && !x.includes(' / needle▏'));
    for (const l of logLines(s)) expect(l).toContain('needle');
    term.keys('Escape');
    await term.waitFor(
      'all lines again',
      (x) => x.includes('─ logs all services · following') && logLines(x).some((l) => / hay$/.test(l)),
    );
  });

  it('R asks, naming the volume, and on y recreates every container', async () => {
    const before = idsByService(project);
    expect(Object.keys(before).sort()).toEqual(['ticker', 'web', 'worker']);
    term.keys('R');
    const dialog = await term.waitFor('the reset dialog', (x) => x.includes('─ reset'));
    expect(dialog).toContain(`named volumes DELETED, with their data: ${project}_web-data`);
    expect(dialog).toContain('every container is removed and created again');
    term.keys('y');
    await waitUntil(
      'new container ids',
      () => {
        const now = idsByService(project);
        return ['ticker', 'web', 'worker'].every((s) => now[s] && now[s] !== before[s]);
      },
      { timeoutMs: 120_000 },
    );
    const s = await term.waitFor('reset done', (x) => x.includes('reset done') && allHealthy(x), 120_000);
    expect(row(s, 'worker')?.[5]).toBe('0');
  });

  it('r restarts the selected service: its restart count rises and the pane shows it', async () => {
    for (let i = 0; i < 5 && !/^▶ worker/m.test(term.screen()); i++) {
      term.keys('j');
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(term.screen()).toMatch(/^▶ worker/m);
    const before = restarts(term.screen(), 'worker');
    term.keys('r');
    const s = await term.waitFor(
      'worker restarted',
      (x) => restarts(x, 'worker') > before && x.includes('worker restarted') && /worker +│ worker started/.test(x),
      60_000,
    );
    expect(s).toMatch(/worker +│ » restarting \(restart requested\)/);
  });

  it('redraws cleanly when the terminal is resized', async () => {
    term.resize(100, 30);
    const small = await term.waitFor('the smaller layout', (x) => x.split('\n')[0]!.trimEnd().endsWith('? help'));
    const lines = small.split('\n');
    expect(lines.filter((l) => /^ devenv /.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /^ {2}SERVICE/.test(l))).toHaveLength(1);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(100);
    term.resize(160, 45);
    const big = await term.waitFor('the larger layout', (x) => x.split('\n').filter((l) => l.trim()).length > 40);
    expect(big.split('\n').filter((l) => /^ devenv /.test(l))).toHaveLength(1);
    expect(big).toMatch(/^ ↑↓ select .* \? help\s*$/m);
  });

  it('q leaves the environment running', async () => {
    const restartsBefore = restarts(term.screen(), 'worker');
    const ids = idsByService(project);
    term.keys('q');
    const s = await term.waitFor('the shell again', (x) => x.includes('[exit 0]'));
    expect(s).toContain(`${project} keeps running`);
    // The terminal is given back as it was: main screen, the shell's output intact.
    expect(term.alternateScreen()).toBe(false);
    const running = projectContainers(project).filter((c) => c.state === 'running');
    expect(running.map((c) => c.service).sort()).toEqual(['ticker', 'web', 'worker']);

    // A second `devenv up` (here a new terminal window) attaches to the same live state.
    term.newWindow(upCommand, env);
    const again = await term.waitFor('re-attached', (x) => allHealthy(x) && x.includes('up: 3 services settled'));
    expect(idsByService(project)).toEqual(ids);
    expect(restarts(again, 'worker')).toBe(restartsBefore);
    // History came with it: the restart from the first session is in the pane's scroll-back.
    term.type('/restart requested');
    term.keys('Enter');
    const history = await term.waitFor(
      'the earlier restart',
      (x) => x.includes('filter "restart requested"') && logLines(x).length > 0,
    );
    expect(logLines(history)).toContain('worker │ » restarting (restart requested)');
    term.keys('Escape');
    await term.waitFor('the filter cleared', (x) => x.includes('─ logs all services · following'));
  });

  it('Q takes the environment down', async () => {
    term.keys('Q');
    const s = await term.waitFor('down', (x) => x.includes('[exit 0]'), 120_000);
    expect(s).toContain(`${project}: down`);
    expect(projectContainers(project)).toEqual([]);
    // The daemon is gone with it.
    const status = await devenv([...args, 'status', '--json'], { env });
    expect(status.code, status.stderr).toBe(0);
  });

  it('without a terminal on stdin (CI, pipes) up prints plain prefixed lines, and ctrl-c takes it down', async () => {
    term.newWindow(`${upCommand} < /dev/null`, env);
    const s = await term.waitFor(
      'plain output',
      (x) => x.includes('following logs; Ctrl-C takes the environment down'),
      120_000,
    );
    expect(term.alternateScreen()).toBe(false);
    expect(s).toMatch(/^devenv +\| environment running/m);
    expect(s).toMatch(/^SERVICE +STATE +HEALTH/m);
    await term.waitFor('a plain log line', (x) => /^ticker +\| tick \d+ (hay|needle)$/m.test(x));
    term.keys('C-c');
    await term.waitFor('down', (x) => x.includes('[exit 0]'), 120_000);
    expect(projectContainers(project)).toEqual([]);
  });
});
