import { describe, expect, it } from 'vitest';
import { attachDetails } from './debug-attach.js';

describe('attachDetails', () => {
  it('Python over DAP: debugpy attach with path mappings relative to the workspace', () => {
    const d = attachDetails(
      'backend',
      {
        type: 'python',
        protocol: 'dap',
        hostIp: '127.0.0.1',
        hostPort: 5678,
        pathMappings: [{ localRoot: '/home/me/shop/backend', remoteRoot: '/app' }],
      },
      '/home/me/shop',
    );
    expect(d.lines).toEqual([
      'Python (debugpy) · Debug Adapter Protocol',
      'attach to 127.0.0.1:5678',
      'path mappings (local → in the service):',
      '  /home/me/shop/backend → /app',
    ]);
    expect(JSON.parse(d.launchJson)).toEqual({
      name: 'devenv: attach backend',
      type: 'debugpy',
      request: 'attach',
      connect: { host: '127.0.0.1', port: 5678 },
      pathMappings: [{ localRoot: `${'$'}{workspaceFolder}/backend`, remoteRoot: '/app' }],
      justMyCode: false,
    });
  });

  it('Node over CDP: a node attach config; 0.0.0.0 becomes loopback', () => {
    const d = attachDetails('web', {
      type: 'node',
      protocol: 'cdp',
      hostIp: '0.0.0.0',
      hostPort: 9229,
      pathMappings: [{ localRoot: '/src/web', remoteRoot: '/usr/src/app' }],
    });
    expect(d.lines[0]).toBe('Node.js · Chrome DevTools Protocol');
    expect(JSON.parse(d.launchJson)).toMatchObject({
      type: 'node',
      request: 'attach',
      address: '127.0.0.1',
      port: 9229,
      localRoot: '/src/web',
      remoteRoot: '/usr/src/app',
    });
  });
});
