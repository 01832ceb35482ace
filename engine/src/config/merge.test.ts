import { describe, expect, it } from 'vitest';
import { locate, type MapNode, toPlain } from './config-node.js';
import { mergeNode, withoutResets } from './merge.js';
import { parseYamlSource } from './yaml-source.js';

function doc(text: string, file = '/p/compose.yaml'): MapNode {
  const { root, diagnostics } = parseYamlSource(text, file);
  if (!root) throw new Error(JSON.stringify(diagnostics));
  return root;
}

const merged = (a: string, b: string) => toPlain(mergeNode(doc(a), doc(b, '/p/override.yaml')));

describe('mergeNode (Compose merge rules)', () => {
  it('merges mappings key by key and overrides scalars', () => {
    expect(
      merged(
        'services:\n  web:\n    image: a\n    tty: true\n',
        'services:\n  web:\n    image: b\n  db:\n    image: pg\n',
      ),
    ).toEqual({
      services: { web: { image: 'b', tty: true }, db: { image: 'pg' } },
    });
  });

  it('replaces command, entrypoint and healthcheck.test instead of appending', () => {
    expect(
      merged(
        'services:\n  web:\n    command: [a, b]\n    healthcheck: {test: [CMD, x], retries: 2}\n',
        'services:\n  web:\n    command: [c]\n    healthcheck: {test: [CMD, y]}\n',
      ),
    ).toEqual({ services: { web: { command: ['c'], healthcheck: { test: ['CMD', 'y'], retries: 2 } } } });
  });

  it('merges environment by key across list and mapping forms', () => {
    expect(
      merged(
        'services:\n  web:\n    environment: [A=1, B=2, C]\n',
        'services:\n  web:\n    environment:\n      B: three\n      D: 4\n',
      ),
    ).toEqual({ services: { web: { environment: { A: '1', B: 'three', C: null, D: 4 } } } });
  });

  it('appends sequences without duplicates and treats string_or_list keys as lists', () => {
    expect(
      merged(
        'services:\n  web:\n    dns: 1.1.1.1\n    profiles: [a]\n',
        'services:\n  web:\n    dns: [8.8.8.8, 1.1.1.1]\n    profiles: [b]\n',
      ),
    ).toEqual({ services: { web: { dns: ['1.1.1.1', '8.8.8.8'], profiles: ['a', 'b'] } } });
  });

  it('keeps ports unique and volumes unique by container path', () => {
    expect(
      merged(
        'services:\n  web:\n    ports: ["80:80"]\n    volumes: ["./a:/app", "data:/data"]\n',
        'services:\n  web:\n    ports: ["80:80", "443:443"]\n    volumes: ["./b:/app:ro"]\n',
      ),
    ).toEqual({ services: { web: { ports: ['80:80', '443:443'], volumes: ['./b:/app:ro', 'data:/data'] } } });
  });

  it('merges depends_on given as a list with one given as a mapping', () => {
    expect(
      merged(
        'services:\n  web:\n    depends_on: [db]\n',
        'services:\n  web:\n    depends_on:\n      cache: {condition: service_healthy}\n',
      ),
    ).toEqual({
      services: {
        web: { depends_on: { db: { condition: 'service_started' }, cache: { condition: 'service_healthy' } } },
      },
    });
  });

  it('treats a build string as its context when merging', () => {
    expect(merged('services:\n  web:\n    build: ./app\n', 'services:\n  web:\n    build: {target: dev}\n')).toEqual({
      services: { web: { build: { context: './app', target: 'dev' } } },
    });
  });

  it('honours !reset and !override', () => {
    expect(
      merged(
        'services:\n  web:\n    ports: ["80:80"]\n    environment: {A: 1, B: 2}\n',
        'services:\n  web:\n    ports: !reset []\n    environment: !override {C: 3}\n',
      ),
    ).toEqual({ services: { web: { environment: { C: 3 } } } });
  });

  it('keeps each value at the position of the file that wrote it', () => {
    const result = mergeNode(
      doc('services:\n  web:\n    image: a\n'),
      doc('services:\n  web:\n    tty: true\n', '/p/o.yaml'),
    );
    expect(locate(result, ['services', 'web', 'image']).node?.loc.file).toBe('/p/compose.yaml');
    expect(locate(result, ['services', 'web', 'tty']).node?.loc).toMatchObject({ file: '/p/o.yaml', line: 3 });
  });

  it('does not modify its inputs', () => {
    const base = doc('services:\n  web:\n    ports: ["80:80"]\n');
    mergeNode(base, doc('services:\n  web:\n    ports: ["81:81"]\n'));
    expect(toPlain(base)).toEqual({ services: { web: { ports: ['80:80'] } } });
  });
});

describe('withoutResets', () => {
  it('drops !reset entries from a file used on its own', () => {
    expect(toPlain(withoutResets(doc('a: !reset 1\nb: 2\n')))).toEqual({ b: 2 });
  });
});
