// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Compose `${VAR}` syntax under test, not templates
import { describe, expect, it } from 'vitest';
import { memoryFs } from './config-fs.js';
import { validateDocument } from './validate-document.js';

const fs = memoryFs({ '/p/.env': 'TAG=1\n', '/p/src/': '' });

describe('validateDocument', () => {
  it('returns nothing for a valid document', () => {
    expect(validateDocument('services:\n  web:\n    image: "x:${TAG}"\n', '/p/compose.yaml', {}, fs)).toEqual([]);
  });

  it('returns errors and warnings with severities and positions', () => {
    const found = validateDocument(
      'services:\n  web:\n    image: x\n    attach: false\n    deploy: {update_config: {parallelism: 2}}\n    depends_on: [dbb]\n  db: {image: y}\n',
      '/p/compose.yaml',
      {},
      fs,
    );
    expect(found.map((d) => [d.severity, d.code, d.location?.line, d.location?.col])).toEqual([
      ['warning', 'config.no-effect', 4, 5],
      ['warning', 'config.no-effect', 5, 14],
      ['error', 'config.unknown-dependency', 6, 18],
    ]);
  });

  it('reports syntax errors of an unfinished edit', () => {
    const [d] = validateDocument('services:\n  web:\n    image: [x\n', '/p/compose.yaml', {}, fs);
    expect(d).toMatchObject({ severity: 'error', code: 'config.yaml-syntax' });
  });

  it('checks paths on the disk it is given', () => {
    const found = validateDocument('services:\n  web:\n    build: ./nope\n', '/p/compose.yaml', {}, fs);
    expect(found).toMatchObject([{ code: 'config.build-context-missing', location: { line: 3, col: 12 } }]);
  });
});
