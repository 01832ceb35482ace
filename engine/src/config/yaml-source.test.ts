import { describe, expect, it } from 'vitest';
import { child, locate, toPlain } from './config-node.js';
import { parseYamlSource } from './yaml-source.js';

const parse = (text: string) => parseYamlSource(text, '/p/compose.yaml');

describe('parseYamlSource', () => {
  it('keeps 1-based positions of keys and values', () => {
    const { root } = parse('services:\n  web:\n    image: "nginx"\n    ports:\n      - 80:80\n');
    expect(root).toBeDefined();
    if (!root) return;
    const image = locate(root, ['services', 'web', 'image']);
    expect(image.keyLoc).toMatchObject({ line: 3, col: 5 });
    expect(image.node?.loc).toMatchObject({ file: '/p/compose.yaml', line: 3, col: 12, endLine: 3, endCol: 19 });
    expect(locate(root, ['services', 'web', 'ports', '0']).node?.loc).toMatchObject({ line: 5, col: 9 });
  });

  it('reports duplicate keys at the second occurrence', () => {
    const r = parse('services:\n  web:\n    image: a\n    image: b\n');
    expect(r.root).toBeUndefined();
    expect(r.diagnostics).toMatchObject([{ code: 'config.duplicate-key', location: { line: 4, col: 5 } }]);
    expect(r.diagnostics[0]?.message).toContain('`image`');
  });

  it('reports tab indentation with its own code', () => {
    const r = parse('services:\n\tweb:\n');
    expect(r.diagnostics[0]).toMatchObject({ code: 'config.yaml-tab-indent', location: { line: 2, col: 1 } });
    expect(r.diagnostics[0]?.hint).toContain('spaces');
  });

  it('reports syntax errors with the parser position and a hint', () => {
    const r = parse('services:\n  web:\n    image: "nginx\n');
    expect(r.diagnostics[0]).toMatchObject({ code: 'config.yaml-syntax', severity: 'error' });
    expect(r.diagnostics[0]?.hint).toBeTruthy();
  });

  it('rejects empty files and non-mapping top levels', () => {
    expect(parse('# only a comment\n').diagnostics[0]).toMatchObject({
      code: 'config.empty-file',
      location: { line: 1, col: 1 },
    });
    expect(parse('- web\n- db\n').diagnostics[0]).toMatchObject({
      code: 'config.not-a-mapping',
      location: { line: 1, col: 1 },
    });
    expect(parse('just text\n').diagnostics[0]?.message).toContain('a string');
  });

  it('resolves anchors, aliases and << merge keys (explicit keys win)', () => {
    const { root } = parse(
      'x-base: &base\n  image: base\n  tty: true\nservices:\n  web:\n    <<: *base\n    image: web\n  db: *base\n',
    );
    if (!root) throw new Error('no root');
    expect(toPlain(child(root, 'services') ?? root)).toEqual({
      web: { image: 'web', tty: true },
      db: { image: 'base', tty: true },
    });
  });

  it('marks !reset and !override values for merging without warning', () => {
    const r = parse('services:\n  web:\n    ports: !reset []\n    command: !override [a]\n');
    expect(r.diagnostics).toEqual([]);
    const web = r.root && locate(r.root, ['services', 'web']).node;
    expect(child(web, 'ports')?.tag).toBe('reset');
    expect(child(web, 'command')?.tag).toBe('override');
  });

  it('gives scalars their raw source so a column inside a value can be found', () => {
    const { root } = parse('a: "x ${Y"\n');
    const node = root && child(root, 'a');
    if (node?.kind !== 'scalar' || !node.source) throw new Error('no source');
    expect(node.source.raw).toBe('"x ${Y"');
    expect(node.source.locate(3)).toMatchObject({ line: 1, col: 7 });
  });
});
