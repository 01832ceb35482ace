import { parse } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { mergeLaunchJson, RUN_BOTH } from './launch-json.js';

describe('mergeLaunchJson', () => {
  it('creates the file when there is none', () => {
    const result = mergeLaunchJson(undefined, '/p/.vscode/launch.json');
    expect(result.action).toBe('create');
    expect(JSON.parse(result.text)).toEqual({ version: '0.2.0', configurations: [RUN_BOTH] });
  });

  it('appends to the configurations of a file with comments and trailing commas, keeping everything else', () => {
    const existing = `{
    // Use IntelliSense to learn about possible attributes.
    "version": "0.2.0",
    "configurations": [
        /* the API, by hand */
        {
            "type": "debugpy",
            "request": "launch",
            "name": "API", // keep me
        },
    ],
    "compounds": [],
}
`;
    const result = mergeLaunchJson(existing, 'launch.json');
    expect(result.action).toBe('merge');
    expect(result.text).toContain('// Use IntelliSense to learn about possible attributes.');
    expect(result.text).toContain('/* the API, by hand */');
    expect(result.text).toContain('"name": "API", // keep me');
    expect(result.text).toContain('        {\n            "type": "devenv"');
    const value = parse(result.text, [], { allowTrailingComma: true }) as { configurations: unknown[]; compounds: [] };
    expect(value.configurations).toEqual([{ type: 'debugpy', request: 'launch', name: 'API' }, RUN_BOTH]);
    expect(value.compounds).toEqual([]);
  });

  it('adds `configurations` when the file has none, with its tab indentation', () => {
    const result = mergeLaunchJson('{\n\t"version": "0.2.0"\n}\n', 'launch.json');
    expect(result.action).toBe('merge');
    expect(parse(result.text)).toEqual({ version: '0.2.0', configurations: [RUN_BOTH] });
    expect(result.text).toContain('\n\t"configurations"');
  });

  it('leaves a file that already has a devenv configuration or a "Run Both" alone', () => {
    const renamed = '{ "configurations": [ { "type": "devenv", "request": "launch", "name": "Stack" } ] }';
    expect(mergeLaunchJson(renamed, 'launch.json')).toEqual({
      action: 'unchanged',
      reason: 'it already has a devenv configuration ("Stack")',
      text: renamed,
    });
    const named = '{ "configurations": [ { "type": "node", "request": "launch", "name": "Run Both" } ] }';
    expect(mergeLaunchJson(named, 'launch.json')).toMatchObject({
      action: 'unchanged',
      reason: 'it already has a configuration named "Run Both"',
    });
  });

  it('refuses a file it cannot read, with the position', () => {
    try {
      mergeLaunchJson('{\n  "configurations": [\n    { "name": }\n  ]\n}', '/p/.vscode/launch.json');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).problems[0]).toMatchObject({
        code: 'init.launch-json-invalid',
        location: { file: '/p/.vscode/launch.json', line: 3, col: 15 },
      });
    }
    expect(() => mergeLaunchJson('{ "configurations": {} }', 'launch.json')).toThrow(/is not a list/);
    expect(() => mergeLaunchJson('[]', 'launch.json')).toThrow(/does not hold a JSON object/);
  });
});
