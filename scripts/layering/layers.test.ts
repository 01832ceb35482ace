// The layer table holds for the whole tree, and the check itself catches what it must: a
// deliberately bad import fails it, an allowlisted one passes until its fix lands.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  allowedViolations,
  checkLayers,
  documentedLayers,
  importsOf,
  layerOf,
  layers,
  repositorySources,
  resolveRelative,
  type Source,
} from './layers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('the layer table of docs/architecture.md', () => {
  it('holds for every import of engine/, cli/ and extension/ sources', () => {
    const result = checkLayers(repositorySources(root));
    expect(result.violations.map((v) => v.message)).toEqual([]);
    // An allowlist entry whose import is gone: its fix landed, delete the entry.
    expect(result.stale.map((s) => `${s.from} -> ${s.to} (${s.owner}, issue ${s.issue})`)).toEqual([]);
  });

  it('is the table docs/architecture.md shows, row for row', () => {
    const documented = documentedLayers(readFileSync(path.join(root, 'docs/architecture.md'), 'utf8'));
    const inCode = layers.filter((l) => !l.name.startsWith('@'));
    expect(documented.flatMap((r) => r.names)).toEqual(inCode.map((l) => l.name));
    for (const row of documented) {
      for (const name of row.names) {
        const layer = inCode.find((l) => l.name === name)!;
        expect([...new Set(row.mayImport)].sort(), name).toEqual([...new Set(layer.mayImport)].sort());
      }
    }
  });

  it('names an owner and an issue for every allowed violation', () => {
    for (const a of allowedViolations) {
      expect(a.owner).not.toBe('');
      expect(a.issue).toBeGreaterThan(0);
      expect(layerOf(a.from)).toBeDefined();
    }
  });
});

describe('the check itself', () => {
  const file = (f: string, text: string): Source => ({ file: f, text });

  it('fails a runtime that imports another runtime', () => {
    const result = checkLayers(
      [file('engine/src/runtimes/process/bad.ts', "import { DockerRuntime } from '../docker/docker-runtime.js';")],
      { allowed: [] },
    );
    expect(result.violations.map((v) => v.message)).toEqual([
      expect.stringContaining(
        'engine/src/runtimes/process/bad.ts (runtimes/process) imports engine/src/runtimes/docker/docker-runtime.ts (runtimes/docker)',
      ),
    ]);
  });

  it('fails the engine importing a runtime, UI code, or a package another layer owns', () => {
    const result = checkLayers(
      [
        file(
          'engine/src/engine/bad.ts',
          [
            "import { DockerRuntime } from '../runtimes/docker/docker-runtime.js';",
            "import type { Command } from 'commander';",
            "const d = await import('dockerode');",
            "import { render } from '../../../cli/src/tui/render.js';",
          ].join('\n'),
        ),
      ],
      { allowed: [] },
    );
    expect(result.violations.map((v) => v.to)).toEqual([
      'engine/src/runtimes/docker/docker-runtime.ts',
      'dockerode',
      'cli/src/tui/render.tsx'.replace('.tsx', '.ts'),
    ]);
  });

  it('fails a CLI command that reaches a runtime without the engine', () => {
    const result = checkLayers(
      [file('cli/src/commands/bad.ts', "const { KubernetesRuntime } = await import('@devenv/engine/kubernetes');")],
      { allowed: [] },
    );
    expect(result.violations.map((v) => v.to)).toEqual(['@devenv/engine/kubernetes']);
    const fine = checkLayers(
      [file('cli/src/commands/fine.ts', "const { Engine } = await import('@devenv/engine/engine');")],
      { allowed: [] },
    );
    expect(fine.violations).toEqual([]);
  });

  it('fails a file in no layer, and the extension importing more than the protocol and the model', () => {
    const result = checkLayers(
      [
        file('engine/src/newthing/x.ts', ''),
        file('extension/src/bad.ts', "import { Engine } from '@devenv/engine/engine';"),
      ],
      { allowed: [] },
    );
    expect(result.violations.map((v) => v.message)).toEqual([
      expect.stringContaining('engine/src/newthing/x.ts is in no layer'),
      expect.stringContaining('extension/src/bad.ts (extension) imports @devenv/engine/engine'),
    ]);
  });

  it('lets an allowlisted import through, and reports the entry once the import is gone', () => {
    const allowed = [
      {
        from: 'engine/src/runtimes/process/bad.ts',
        to: 'engine/src/runtimes/docker/x.ts',
        issue: 1,
        owner: 'someone',
        why: 'test',
      },
    ];
    const bad = file('engine/src/runtimes/process/bad.ts', "import { x } from '../docker/x.js';");
    expect(checkLayers([bad], { allowed })).toEqual({ violations: [], stale: [] });
    const fixed = file('engine/src/runtimes/process/bad.ts', "import { x } from '../../shared/x.js';");
    expect(checkLayers([fixed], { allowed })).toEqual({ violations: [], stale: allowed });
  });

  it('leaves tests out, and reads every kind of import', () => {
    expect(
      checkLayers([file('engine/src/engine/x.test.ts', "import '../runtimes/docker/docker-runtime.js';")], {
        allowed: [],
      }).violations,
    ).toEqual([]);
    expect(
      importsOf(
        file(
          'a.ts',
          "import type { A } from './a.js';\nexport * from './b.js';\nconst c = await import('c');\nlet d: import('node:fs').Dirent;",
        ),
      ),
    ).toEqual(['./a.js', './b.js', 'c', 'node:fs']);
    expect(resolveRelative('engine/src/engine/engine.ts', '../model/spec.js')).toBe('engine/src/model/spec.ts');
  });

  it('has one row per layer name', () => {
    const names = layers.map((l) => l.name);
    expect(new Set(names).size).toBe(names.length);
    for (const l of layers) for (const m of l.mayImport) expect(names).toContain(m);
  });
});
