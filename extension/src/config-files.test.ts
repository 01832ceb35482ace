import { describe, expect, it } from 'vitest';
import { chooseConfigFiles } from './config-files.js';

describe('chooseConfigFiles', () => {
  it('takes the setting, relative to the folder', () => {
    expect(chooseConfigFiles(['compose/a.yaml', '/abs/b.yaml'], '/w', [])).toEqual([
      '/w/compose/a.yaml',
      '/abs/b.yaml',
    ]);
  });

  it('else the shallowest compose file, in Compose’s order of names, never under node_modules', () => {
    const found = [
      '/w/test/fixtures/broken/compose.yaml',
      '/w/compose/reference/docker-compose.yml',
      '/w/compose/reference/compose.yaml',
      '/w/node_modules/x/compose.yaml',
    ];
    expect(chooseConfigFiles(undefined, '/w', found)).toEqual(['/w/compose/reference/compose.yaml']);
    expect(chooseConfigFiles([], '/w', ['/w/compose.yaml', ...found])).toEqual(['/w/compose.yaml']);
    expect(chooseConfigFiles(undefined, '/w', ['/w/node_modules/x/compose.yaml'])).toEqual([]);
  });
});
