import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { withCommands } from '../../output/hints.js';
import { stripAnsi } from '../../output/terminal-text.js';
import { sampleStatus } from '../fake-client.js';
import { KEY_HELP } from '../keys.js';
import type { ProjectInfo } from '../state/reducer.js';
import { DebugOverlay, HelpOverlay, ResetDialog } from './overlays.js';

const plain = (el: React.ReactElement) => stripAnsi(render(el).lastFrame() ?? '');
const [, backend, worker] = sampleStatus().services;

describe('HelpOverlay', () => {
  it('lists every key with what it does', () => {
    const out = plain(<HelpOverlay height={30} width={100} />);
    expect(out.split('\n')[0]).toMatch(/^─ keys ─+$/);
    for (const k of KEY_HELP) {
      expect(out).toContain(k.keys);
      // Commands in the help carry how this CLI is started and the project's flags (output/hints.ts).
      expect(out).toContain(withCommands(k.what));
    }
    expect(out).toContain('esc, ? or q closes this help');
  });
});

describe('DebugOverlay', () => {
  it('shows how to attach and a launch.json entry', () => {
    const out = plain(<DebugOverlay status={backend} projectDir="/home/me/shop" height={30} width={100} />);
    expect(out).toContain('─ debug backend');
    expect(out).toContain('Python (debugpy) · Debug Adapter Protocol');
    expect(out).toContain('attach to 127.0.0.1:5678');
    expect(out).toContain('/home/me/shop/backend → /app');
    expect(out).toContain('"type": "debugpy"');
    expect(out).toContain('"port": 5678');
    expect(out).toContain(`"localRoot": "${'$'}{workspaceFolder}/backend"`);
  });

  it('says how to get a debugger when the service has none', () => {
    const out = plain(<DebugOverlay status={worker} projectDir="/home/me/shop" height={10} width={100} />);
    expect(out).toContain('worker has no debugger endpoint');
    expect(out).toContain('x-devenv.debug');
  });

  it('cuts to its height', () => {
    const out = plain(<DebugOverlay status={backend} projectDir="/home/me/shop" height={3} width={100} />);
    expect(out.split('\n')).toHaveLength(4);
  });
});

describe('ResetDialog', () => {
  const docker: ProjectInfo = { name: 'shop', dir: '/x', runtime: 'docker', phase: 'running' };

  it('Docker: names the volumes whose data is deleted, and the keys', () => {
    const out = plain(<ResetDialog project={docker} volumes={['shop_pgdata', 'shop_cache']} height={10} width={100} />);
    expect(out).toContain('Reset shop?');
    expect(out).toContain('every container is removed and created again (new container ids)');
    expect(out).toContain('named volumes DELETED, with their data: shop_pgdata, shop_cache');
    expect(out).toContain('images and the build cache are kept');
    expect(out).toMatch(/y {2}reset {6}n \/ esc {2}cancel/);
  });

  it('Docker: when the volumes are unknown, says all named volumes of the project', () => {
    const out = plain(<ResetDialog project={docker} height={10} width={100} />);
    expect(out).toContain('all named volumes of project shop are DELETED, with their data');
  });

  it('Docker: with no named volumes, says no data is deleted', () => {
    expect(plain(<ResetDialog project={docker} volumes={[]} height={10} width={100} />)).toContain(
      'no named volumes are declared: no data is deleted',
    );
  });

  it('Kubernetes: offers hard (recreate the cluster, keep the image cache) and soft (namespace and Applications)', () => {
    const k8s: ProjectInfo = {
      ...docker,
      runtime: 'kubernetes',
      cluster: { name: 'kind-devenv', context: 'kind-devenv' },
    };
    const out = plain(<ResetDialog project={k8s} height={10} width={100} />);
    expect(out).toContain('h  hard: delete and recreate kind-devenv');
    expect(out).toContain('the image cache is kept');
    expect(out).toContain('s  soft: recreate the shop namespace and its Applications');
    expect(out).toContain('n / esc  cancel');
    expect(out).not.toContain('y  reset');
  });

  it('processes: every process restarted', () => {
    const out = plain(<ResetDialog project={{ ...docker, runtime: 'process' }} volumes={[]} height={10} width={100} />);
    expect(out).toContain('every service process is stopped and started again');
  });
});
