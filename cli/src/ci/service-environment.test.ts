import { describe, expect, it } from 'vitest';
import { sampleStatus } from '../tui/fake-client.js';
import { envName, serviceEnvironment } from './service-environment.js';

describe('serviceEnvironment', () => {
  it('names each service’s URL, host, ports and instance', () => {
    const status = sampleStatus();
    status.services.push({
      name: 'my-api.v2',
      state: 'running',
      health: 'none',
      instanceId: 'd'.repeat(64),
      ports: [
        { hostIp: '0.0.0.0', hostPort: 40001, containerPort: 8080, protocol: 'tcp' },
        { hostIp: '0.0.0.0', hostPort: 40002, containerPort: 53, protocol: 'udp' },
      ],
      restartCount: 0,
    });
    expect(serviceEnvironment(status)).toEqual({
      DEVENV_PROJECT: 'shop',
      DEVENV_PROJECT_DIR: '/home/me/shop',
      DEVENV_RUNTIME: 'docker',
      DEVENV_INSTANCE_POSTGRES: 'a'.repeat(64),
      DEVENV_URL_BACKEND: 'http://127.0.0.1:8000',
      DEVENV_INSTANCE_BACKEND: 'b'.repeat(64),
      DEVENV_HOST_BACKEND: '127.0.0.1',
      DEVENV_PORT_BACKEND_8000: '8000',
      DEVENV_INSTANCE_WORKER: 'c'.repeat(64),
      DEVENV_INSTANCE_MY_API_V2: 'd'.repeat(64),
      DEVENV_HOST_MY_API_V2: '127.0.0.1',
      DEVENV_PORT_MY_API_V2_8080: '40001',
      DEVENV_PORT_MY_API_V2_53_UDP: '40002',
    });
    expect(envName('web-2.front')).toBe('WEB_2_FRONT');
  });
});
