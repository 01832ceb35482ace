import { describe, expect, it } from 'vitest';
import type { ProjectStatus } from '../model/status.js';
import { debugInfo, vscodeLaunchConfigs } from './launch-configs.js';

const status: ProjectStatus = {
  project: 'demo',
  projectDir: '/w/compose',
  runtime: 'docker',
  phase: 'running',
  services: [
    { name: 'postgres', state: 'healthy', health: 'healthy', ports: [], restartCount: 0 },
    {
      name: 'worker',
      state: 'running',
      health: 'none',
      ports: [],
      restartCount: 0,
      debug: {
        type: 'python',
        protocol: 'dap',
        hostIp: '127.0.0.1',
        hostPort: 5680,
        pathMappings: [{ localRoot: '/w/example/backend/app', remoteRoot: '/app/app' }],
      },
    },
    {
      name: 'frontend',
      state: 'running',
      health: 'none',
      ports: [],
      restartCount: 0,
      debug: {
        type: 'node',
        protocol: 'cdp',
        hostIp: '127.0.0.1',
        hostPort: 9229,
        pathMappings: [
          { localRoot: '/w/example/frontend/src', remoteRoot: '/app/src' },
          { localRoot: '/w/example/frontend', remoteRoot: '/app' },
        ],
      },
    },
  ],
};

describe('debugInfo', () => {
  it('lists services with a debugger, in name order', () => {
    expect(debugInfo(status)).toEqual([
      {
        service: 'frontend',
        type: 'node',
        protocol: 'cdp',
        host: '127.0.0.1',
        port: 9229,
        pathMappings: status.services[2]!.debug!.pathMappings,
      },
      {
        service: 'worker',
        type: 'python',
        protocol: 'dap',
        host: '127.0.0.1',
        port: 5680,
        pathMappings: [{ localRoot: '/w/example/backend/app', remoteRoot: '/app/app' }],
      },
    ]);
  });
});

describe('vscodeLaunchConfigs', () => {
  it('writes debugpy and devenv attach configs for Python, a node attach for Node, and a compound', () => {
    const launch = vscodeLaunchConfigs(debugInfo(status), { workspaceFolder: '/w' });
    expect(launch).toEqual({
      version: '0.2.0',
      configurations: [
        {
          name: 'devenv: frontend',
          type: 'node',
          request: 'attach',
          address: '127.0.0.1',
          port: 9229,
          localRoot: `\${workspaceFolder}/example/frontend`,
          remoteRoot: '/app',
          restart: true,
          continueOnAttach: true,
          skipFiles: ['<node_internals>/**'],
        },
        {
          name: 'devenv: worker',
          type: 'debugpy',
          request: 'attach',
          connect: { host: '127.0.0.1', port: 5680 },
          pathMappings: [{ localRoot: `\${workspaceFolder}/example/backend/app`, remoteRoot: '/app/app' }],
          justMyCode: true,
          subProcess: true,
        },
        {
          name: 'devenv: worker (devenv extension)',
          type: 'devenv',
          request: 'attach',
          service: 'worker',
          protocol: 'dap',
          connect: { host: '127.0.0.1', port: 5680 },
          pathMappings: [{ localRoot: `\${workspaceFolder}/example/backend/app`, remoteRoot: '/app/app' }],
        },
      ],
      compounds: [{ name: 'devenv: all services', configurations: ['devenv: frontend', 'devenv: worker'] }],
    });
  });

  it('keeps absolute paths outside the workspace, and can leave out the devenv configs', () => {
    const launch = vscodeLaunchConfigs(debugInfo(status), { workspaceFolder: '/elsewhere', devenvExtension: false });
    expect(launch.configurations.map((c) => c.type)).toEqual(['node', 'debugpy']);
    expect(launch.configurations[0]!.localRoot).toBe('/w/example/frontend');
  });

  it('omits mappings for host processes and the compound for a single service', () => {
    const launch = vscodeLaunchConfigs([
      { service: 'api', type: 'node', protocol: 'cdp', host: '127.0.0.1', port: 9229, pathMappings: [] },
    ]);
    expect(launch.configurations[0]).not.toHaveProperty('localRoot');
    expect(launch.compounds).toEqual([]);
  });
});
