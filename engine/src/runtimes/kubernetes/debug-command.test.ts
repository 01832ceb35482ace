import { describe, expect, it } from 'vitest';
import { service } from '../../../../test/kubernetes/helpers/specs.js';
import { debugRewrite, resolveDebug } from './debug-command.js';

describe('debugRewrite', () => {
  it('runs console scripts as modules under debugpy', () => {
    expect(debugRewrite('python', ['uvicorn', 'app:app', '--reload'], 5678, false).argv).toEqual([
      'python3',
      '-m',
      'debugpy',
      '--listen',
      '0.0.0.0:5678',
      '-m',
      'uvicorn',
      'app:app',
      '--reload',
    ]);
    expect(debugRewrite('python', ['/usr/bin/celery', '-A', 'w'], 5678, false).argv?.slice(5)).toEqual([
      '-m',
      'celery',
      '-A',
      'w',
    ]);
  });

  it('puts debugpy after the interpreter and honours wait', () => {
    expect(debugRewrite('python', ['python3.11', '-m', 'flask', 'run'], 5679, true).argv).toEqual([
      'python3.11',
      '-m',
      'debugpy',
      '--listen',
      '0.0.0.0:5679',
      '--wait-for-client',
      '-m',
      'flask',
      'run',
    ]);
  });

  it('says why when there is nothing to wrap', () => {
    expect(debugRewrite('python', undefined, 5678, false).problem).toMatch(/no command/);
    expect(debugRewrite('python', ['/opt/bin/server'], 5678, false).problem).toMatch(/cannot run \/opt\/bin\/server/);
  });

  it('adds --inspect to node, and falls back to NODE_OPTIONS for anything else', () => {
    expect(debugRewrite('node', ['node', 'vite.js'], 9229, false).argv).toEqual([
      'node',
      '--inspect=0.0.0.0:9229',
      'vite.js',
    ]);
    expect(debugRewrite('node', ['node', 'a.js'], 9230, true).argv).toEqual([
      'node',
      '--inspect-brk=0.0.0.0:9230',
      'a.js',
    ]);
    expect(debugRewrite('node', ['npm', 'run', 'dev'], 9229, false)).toEqual({
      env: { NODE_OPTIONS: '--inspect=0.0.0.0:9229' },
    });
  });
});

describe('resolveDebug', () => {
  it('follows x-devenv.debug, and infers it from the command when unset', () => {
    expect(resolveDebug(service('a', { devenv: { debug: false }, command: ['python3'] }))).toBeUndefined();
    expect(resolveDebug(service('a', { devenv: { debug: { type: 'node', wait: false, hostPort: 9300 } } }))).toEqual({
      type: 'node',
      port: 9229,
      wait: false,
      hostPort: 9300,
    });
    expect(resolveDebug(service('a', { command: ['uvicorn', 'x:y'] }))?.type).toBe('python');
    expect(resolveDebug(service('a', {}), ['node', 'server.js'])?.type).toBe('node');
    expect(resolveDebug(service('a', { command: ['redis-server'] }))).toBeUndefined();
  });
});
