import { describe, expect, it } from 'vitest';
import { diagnoseDebugFailure } from './diagnose.js';

describe('diagnoseDebugFailure', () => {
  it.each([
    ['python', '/usr/bin/python3: No module named debugpy', 'debug.debugpy-missing'],
    ['python', 'sh: 1: python3: not found', 'debug.python-missing'],
    [
      'python',
      'OCI runtime create failed: exec: "python3": executable file not found in $PATH: unknown',
      'debug.python-missing',
    ],
    [
      'python',
      "RuntimeError: Can't listen for client connections: [Errno 98] Address already in use",
      'debug.port-busy',
    ],
    ['node', 'Starting inspector on 0.0.0.0:9229 failed: address already in use', 'debug.inspector-port-busy'],
    ['node', 'node: bad option: --inspect=0.0.0.0:9229', 'debug.inspector-unsupported'],
  ] as const)('%s: %s → %s', (kind, line, code) => {
    const problem = diagnoseDebugFailure('backend', kind, ['some output', line]);
    expect(problem?.code).toBe(code);
    expect(problem?.hint.length).toBeGreaterThan(20);
  });

  it('tells how to install debugpy, and never to download it at run time', () => {
    const p = diagnoseDebugFailure('worker', 'python', ['/usr/bin/python3: No module named debugpy'])!;
    expect(p.message).toBe('debugpy is not installed in the image of worker, so it cannot start under the debugger');
    expect(p.hint).toMatch(/python3-debugpy/);
    expect(p.hint).toMatch(/pip install debugpy/);
  });

  it('ignores problems of the other kind and ordinary failures', () => {
    expect(diagnoseDebugFailure('a', 'node', ['No module named debugpy'])).toBeUndefined();
    expect(
      diagnoseDebugFailure('a', 'python', ['ERROR: [Errno 98] Address already in use (port 8000)']),
    ).toBeUndefined();
  });
});

describe('diagnoseDebugFailure on the process runtime', () => {
  it('names the interpreter Python printed, not an image', () => {
    const p = diagnoseDebugFailure(
      'kv',
      'python',
      ['/root/.pyenv/versions/3.11.7/bin/python3: No module named debugpy'],
      'process',
    )!;
    expect(p.message).toBe(
      'debugpy is not installed for /root/.pyenv/versions/3.11.7/bin/python3 that runs kv, so it cannot start under the debugger',
    );
    expect(p.hint).toMatch(
      /^install it for that interpreter: `\/root\/.pyenv\/versions\/3.11.7\/bin\/python3 -m pip install debugpy`/,
    );
  });
});
