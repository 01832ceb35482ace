import { describe, expect, it } from 'vitest';
import { toPlain } from './config-node.js';
import { describePath, schemaDiagnostics } from './schema-errors.js';
import { parseYamlSource } from './yaml-source.js';

function check(text: string) {
  const { root, diagnostics } = parseYamlSource(text, '/p/compose.yaml');
  if (!root) throw new Error(JSON.stringify(diagnostics));
  return schemaDiagnostics(toPlain(root), root).map((d) => ({
    code: d.code,
    at: `${d.location?.line}:${d.location?.col}`,
    message: d.message,
    hint: d.hint,
  }));
}

describe('schemaDiagnostics', () => {
  it('accepts a valid file with develop and x-devenv', () => {
    expect(
      check(`name: shop
x-devenv:
  runtime: docker
services:
  api:
    build: ./api
    env_file:
      - path: .env.local
        required: false
    depends_on:
      db: { condition: service_healthy, required: true }
    develop:
      watch:
        - { path: ./api, action: sync+restart, target: /app, ignore: [node_modules] }
    x-devenv:
      debug: { type: node, port: 9229, wait: true }
      process: { command: npm run dev, cwd: ./api, env: [A=1], healthcheck: { type: tcp, port: 3000 } }
      url: http://localhost:3000
  db:
    image: postgres
    healthcheck: { test: pg_isready, start_interval: 1s }
`),
    ).toEqual([]);
  });

  it('points an unknown key at the key, with did-you-mean', () => {
    expect(check('services:\n  backend:\n    image: x\n    helthcheck: {}\n')).toEqual([
      {
        code: 'config.unknown-key',
        at: '4:5',
        message: 'unknown key `helthcheck` in service `backend`',
        hint: 'did you mean `healthcheck`?',
      },
    ]);
  });

  it('describes one type error for a value that fits no form of a oneOf', () => {
    const [d] = check('services:\n  web:\n    image: x\n    environment: 5\n');
    expect(d).toMatchObject({ code: 'config.invalid-type', at: '4:18' });
    expect(d?.message).toContain('`environment` in service `web` must be a mapping');
  });

  it('reports errors inside the branch whose type matches', () => {
    expect(check('services:\n  web:\n    ports:\n      - target: 80\n        publishd: 8000\n')).toMatchObject([
      { code: 'config.unknown-key', at: '5:9', hint: 'did you mean `published`?' },
    ]);
  });

  it('says ports must be a list when given a mapping', () => {
    const [d] = check('services:\n  web:\n    ports:\n      "80": 80\n');
    expect(d).toMatchObject({ code: 'config.invalid-type', at: '4:7' });
    expect(d?.message).toBe('`ports` in service `web` must be a list like ["8000:8000"], not a mapping');
  });

  it('suggests quoting a number where a string is needed', () => {
    expect(check('services:\n  web:\n    image: x\n    user: 1000\n')[0]).toMatchObject({
      at: '4:11',
      hint: 'quote the value: `user: "1000"`',
    });
  });

  it('points a missing required key at its mapping', () => {
    expect(check('services:\n  web:\n    develop:\n      watch:\n        - path: ./src\n')[0]).toMatchObject({
      code: 'config.missing-key',
      at: '5:11',
    });
  });

  it('uses specific codes for x-devenv.debug, watch actions and the runtime', () => {
    const text = `x-devenv:
  runtime: dockr
services:
  web:
    image: x
    develop:
      watch:
        - { path: ., action: copy }
    x-devenv:
      debug: pyhton
`;
    expect(check(text)).toMatchObject([
      { code: 'config.invalid-runtime', at: '2:12', hint: 'did you mean `docker`?' },
      { code: 'config.invalid-watch-action', at: '8:30' },
      { code: 'config.invalid-debug', at: '10:14', hint: 'did you mean `python`?' },
    ]);
  });

  it('reports invalid service names and duplicate list items', () => {
    expect(check('services:\n  "my app":\n    image: x\n')[0]).toMatchObject({
      code: 'config.invalid-name',
      at: '2:3',
    });
    expect(check('services:\n  web:\n    image: x\n    profiles: [a, a]\n')[0]).toMatchObject({
      code: 'config.duplicate-item',
      at: '4:19',
    });
  });

  it('hints that a service key at the top level belongs in a service', () => {
    expect(check('services: {}\nimage: nginx\n')[0]?.hint).toContain('indent it under a service');
  });
});

describe('describePath', () => {
  it('names paths the way a person reads the file', () => {
    expect(describePath(['services', 'web', 'ports', '0'])).toBe('`ports[0]` in service `web`');
    expect(describePath(['services', 'web'])).toBe('service `web`');
    expect(describePath(['volumes', 'data', 'driver'])).toBe('`driver` in volume `data`');
    expect(describePath(['x-devenv', 'runtime'])).toBe('`x-devenv.runtime`');
    expect(describePath([])).toBe('the top level');
  });
});
