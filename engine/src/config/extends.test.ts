import { describe, expect, it } from 'vitest';
import { child, type MapNode, toPlain } from './config-node.js';
import { Diagnostics } from './diagnostics.js';
import { resolveExtends } from './extends.js';
import { parseYamlSource } from './yaml-source.js';

function doc(text: string, file: string): MapNode {
  const { root, diagnostics } = parseYamlSource(text, file);
  if (!root) throw new Error(JSON.stringify(diagnostics));
  return root;
}

function resolve(text: string, others: Record<string, string> = {}) {
  const diagnostics = new Diagnostics();
  const root = doc(text, '/p/compose.yaml');
  resolveExtends(root, '/p/compose.yaml', {
    diagnostics,
    fileExists: (path) => path in others,
    loadFile: (path) => (others[path] === undefined ? undefined : doc(others[path], path)),
  });
  return {
    services: toPlain(child(root, 'services') ?? root) as Record<string, unknown>,
    diagnostics: diagnostics.items,
  };
}

describe('resolveExtends', () => {
  it('merges the base service under the extending one, recursively', () => {
    const { services, diagnostics } = resolve(`services:
  base:
    image: python
    environment: {A: 1, B: 1}
    command: [base]
  mid:
    extends: base
    environment: {B: 2}
  web:
    extends: { service: mid }
    command: [web]
    ports: ["80:80"]
`);
    expect(diagnostics).toEqual([]);
    expect(services.web).toEqual({ image: 'python', environment: { A: 1, B: 2 }, command: ['web'], ports: ['80:80'] });
    expect(services.mid).toEqual({ image: 'python', environment: { A: 1, B: 2 }, command: ['base'] });
  });

  it('loads extends.file relative to the extending file and makes its paths absolute', () => {
    const { services, diagnostics } = resolve(
      'services:\n  web:\n    extends: { file: common/base.yaml, service: app }\n    image: mine\n',
      {
        '/p/common/base.yaml':
          'services:\n  app:\n    build: ./src\n    env_file: app.env\n    volumes: ["./data:/data", "named:/n"]\n',
      },
    );
    expect(diagnostics).toEqual([]);
    expect(services.web).toEqual({
      build: '/p/common/src',
      env_file: '/p/common/app.env',
      volumes: ['/p/common/data:/data', 'named:/n'],
      image: 'mine',
    });
  });

  it('reports a cycle naming every link, once', () => {
    const { diagnostics } = resolve('services:\n  a:\n    extends: b\n  b:\n    extends: c\n  c:\n    extends: a\n');
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'config.extends-cycle', message: '`extends` cycle: a → b → c → a' });
    expect(diagnostics[0]?.location).toMatchObject({ line: 7, col: 14 });
  });

  it('reports a service extending itself', () => {
    const { diagnostics } = resolve('services:\n  a:\n    image: x\n    extends: a\n');
    expect(diagnostics[0]).toMatchObject({ code: 'config.extends-cycle', message: 'service `a` extends itself' });
  });

  it('reports an unknown base service with did-you-mean, and a missing file', () => {
    const unknown = resolve('services:\n  base: {image: x}\n  web:\n    extends: bsae\n');
    expect(unknown.diagnostics[0]).toMatchObject({
      code: 'config.extends-unknown-service',
      hint: 'did you mean `base`?',
      location: { line: 4, col: 14 },
    });
    const missing = resolve('services:\n  web:\n    extends: {file: nope.yaml, service: x}\n');
    expect(missing.diagnostics[0]).toMatchObject({
      code: 'config.extends-file-missing',
      location: { line: 3, col: 21 },
    });
  });
});
