import { describe, expect, it } from 'vitest';
import { memoryFs } from './config-fs.js';
import { validateDocument } from './validate-document.js';

const fs = memoryFs({ '/p/src/': '', '/p/api/Dockerfile': 'FROM x\n' });
const problems = (yaml: string) =>
  validateDocument(yaml, '/p/compose.yaml', {}, fs).map((d) => [d.code, d.location?.line, d.location?.col]);

describe('service normalisation problems', () => {
  it('needs the fields each x-devenv probe type uses', () => {
    expect(
      problems(`services:
  a:
    image: x
    x-devenv:
      process:
        command: run
        healthcheck: {type: http}
  b:
    image: x
    x-devenv:
      process:
        command: run
        healthcheck: {type: http, url: "ftp://x"}
`),
    ).toEqual([
      ['config.invalid-probe', 7, 22],
      ['config.invalid-probe', 13, 40],
    ]);
  });

  it('checks x-devenv.url and sync+exec rules', () => {
    expect(
      problems(`services:
  a:
    image: x
    develop:
      watch:
        - {path: ./src, action: sync+exec, target: /app}
    x-devenv:
      url: not a url
`),
    ).toEqual([
      ['config.watch-exec-missing', 6, 11],
      ['config.invalid-url', 8, 12],
    ]);
  });

  it('checks healthcheck test forms and retries', () => {
    expect(
      problems(`services:
  a:
    image: x
    healthcheck: {test: [CMD-SHELL, a, b]}
  b:
    image: x
    healthcheck: {test: [CMD], retries: 1.5}
  c:
    image: x
    healthcheck: {test: ""}
`),
    ).toEqual([
      ['config.invalid-healthcheck', 4, 26],
      ['config.invalid-healthcheck', 7, 26],
      ['config.invalid-healthcheck', 7, 41],
      ['config.invalid-healthcheck', 10, 25],
    ]);
  });

  it('lets a service without image or build run when it has x-devenv.process', () => {
    expect(problems('services:\n  a:\n    x-devenv:\n      process: {command: run}\n')).toEqual([]);
  });

  it('does not treat a disabled healthcheck as one for service_healthy', () => {
    expect(
      problems(
        'services:\n  a:\n    image: x\n    depends_on: {b: {condition: service_healthy}}\n  b:\n    image: y\n    healthcheck: {disable: true}\n',
      ),
    ).toEqual([['config.healthcheck-required', 4, 33]]);
  });

  it('reports a port clash between a wildcard and a loopback address', () => {
    expect(problems('services:\n  a:\n    image: x\n    ports: ["0.0.0.0:80:80", "80:8080"]\n')).toEqual([
      ['config.port-conflict', 4, 30],
    ]);
  });

  it('allows the same port on different protocols or explicit addresses', () => {
    expect(
      problems(
        'services:\n  a:\n    image: x\n    ports: ["53:53/udp", "53:53/tcp", "127.0.0.2:80:80", "127.0.0.3:80:80"]\n',
      ),
    ).toEqual([]);
  });

  it('ignores an unknown optional dependency', () => {
    expect(
      problems('services:\n  a:\n    image: x\n    depends_on: {b: {condition: service_started, required: false}}\n'),
    ).toEqual([]);
  });
});
