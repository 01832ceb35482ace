// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Compose `${VAR}` syntax under test, not templates
// `x-devenv.ci` (what `devenv ci` runs) and `x-devenv.metrics` (the Prometheus endpoint): their
// normal forms, and every mistake reported at its file:line:col with what to do.

import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { memoryFs } from './config-fs.js';
import { loadProject } from './load-project.js';

const service = 'services:\n  web:\n    image: nginx\n';

function load(text: string, env: Record<string, string> = {}) {
  return loadProject({
    cwd: '/p',
    env: { HOME: '/home/me', ...env },
    fs: memoryFs({ '/p/compose.yaml': text, '/p/e2e/': '' }),
  });
}

async function problems(text: string) {
  try {
    await load(text);
  } catch (error) {
    if (error instanceof UserError)
      return error.problems.map((p) => ({
        code: p.code,
        at: `${p.location?.line}:${p.location?.col}`,
        message: p.message,
        hint: p.hint,
      }));
    throw error;
  }
  throw new Error('expected a UserError');
}

describe('x-devenv.ci', () => {
  it('normalises the three forms of a test and the timeout', async () => {
    const { project } = await load(`${service}x-devenv:
  ci:
    timeout: 90s
    tests:
      - npm test && npm run lint
      - [pytest, -q, "tests/api"]
      - name: e2e
        command: npx playwright test
        cwd: ./e2e
        env: { BASE_URL: "http://127.0.0.1:5173" }
        timeout: 5m
`);
    expect(project.devenv.ci).toEqual({
      timeoutMs: 90_000,
      tests: [
        { name: 'npm test && npm run lint', command: ['sh', '-c', 'npm test && npm run lint'], cwd: '/p', env: {} },
        { name: 'pytest -q tests/api', command: ['pytest', '-q', 'tests/api'], cwd: '/p', env: {} },
        {
          name: 'e2e',
          command: ['sh', '-c', 'npx playwright test'],
          cwd: '/p/e2e',
          env: { BASE_URL: 'http://127.0.0.1:5173' },
          timeoutMs: 300_000,
        },
      ],
    });
  });

  it('reports a misspelt key, an empty command, a bad duration, a missing cwd and a repeated name', async () => {
    expect(await problems(`${service}x-devenv:\n  ci:\n    test: [npm test]\n`)).toMatchObject([
      { code: 'config.unknown-key', at: '6:5', hint: expect.stringContaining('tests') },
    ]);
    expect(
      await problems(`${service}x-devenv:
  ci:
    timeout: soon
    tests:
      - ""
      - name: a
        command: [make]
        cwd: ./nowhere
        timeout: 3 parsecs
      - { name: a, command: make check }
`),
    ).toMatchObject([
      { code: 'config.invalid-duration', at: '6:14', message: expect.stringContaining('`x-devenv.ci.timeout`') },
      { code: 'config.ci-test-empty', at: '8:9' },
      { code: 'config.ci-test-cwd-missing', at: '11:14', message: expect.stringContaining('/p/nowhere') },
      { code: 'config.invalid-duration', at: '12:18' },
      { code: 'config.ci-test-duplicate', at: '13:9', hint: expect.stringContaining('`name:`') },
    ]);
  });

  it('refuses a test that is neither a command nor a mapping with one', async () => {
    const found = await problems(`${service}x-devenv:\n  ci:\n    tests:\n      - { name: x }\n`);
    expect(found[0]).toMatchObject({
      code: 'config.missing-key',
      at: '7:9',
      message: '`x-devenv.ci.tests[0]` is missing the required key `command`',
    });
  });
});

describe('x-devenv.metrics', () => {
  it('takes a port, interpolated or not', async () => {
    expect((await load(`${service}x-devenv:\n  metrics: { port: 9464 }\n`)).project.devenv.metrics).toEqual({
      port: 9464,
    });
    const interpolated = await load(`${service}x-devenv:\n  metrics:\n    port: \${METRICS_PORT:-9100}\n`, {
      METRICS_PORT: '9555',
    });
    expect(interpolated.project.devenv.metrics).toEqual({ port: 9555 });
  });

  it('reports a port out of range and a missing port at their positions', async () => {
    expect((await problems(`${service}x-devenv:\n  metrics:\n    port: 70000\n`))[0]).toMatchObject({
      at: '6:11',
      message: '`x-devenv.metrics.port` must be <= 65535, got 70000',
    });
    expect((await problems(`${service}x-devenv:\n  metrics: {}\n`))[0]).toMatchObject({
      code: 'config.missing-key',
      at: '5:3',
    });
  });

  it('is off when not written', async () => {
    expect((await load(service)).project.devenv).toEqual({});
  });
});
