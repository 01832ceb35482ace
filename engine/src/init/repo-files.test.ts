import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detect } from './detect.js';
import { scanRepo } from './repo-files.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function repoDir(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'devenv-repo-files-'));
  dirs.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

describe('scanRepo', () => {
  it('skips installed packages, virtualenvs, vendored code and VCS folders, but reads .env files', () => {
    const dir = repoDir({
      'app.py': 'x = 1\n',
      '.env': 'REDIS_URL=redis://cache:6379\n',
      'node_modules/redis/package.json': '{}',
      '.venv/lib/site.py': '',
      'vendor/github.com/lib/pq/conn.go': '',
      '.git/config': '',
      '.env.d/ignored.py': '',
    });
    mkdirSync(join(dir, '.env.dir'));
    expect(scanRepo(dir).paths).toEqual(['.env', '.env.d/ignored.py', 'app.py']);
  });

  it('follows no symbolic link (a loop cannot trap it) and reads no binary or oversized file', () => {
    const dir = repoDir({
      'app.py': 'import redis\n',
      'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x72, 0x65, 0x64, 0x69, 0x73]),
      'big.json': `{"x": "${'a'.repeat(600 * 1024)}"}`,
    });
    symlinkSync(dir, join(dir, 'loop'));
    const repo = scanRepo(dir);
    expect(repo.paths).toEqual(['app.py', 'big.json', 'logo.png']);
    expect(repo.read('logo.png')).toBeUndefined();
    expect(repo.read('big.json')).toBeUndefined();
    expect(repo.read('app.py')).toBe('import redis\n');
    expect(repo.read('missing.py')).toBeUndefined();
    expect(repo.limitsReached()).toEqual([]);
  });

  it('detects nothing, and throws nothing, on odd files', () => {
    const dir = repoDir({
      'package.json': '{ "dependencies": ',
      'requirements.txt': '\u0000\u0000',
      'pyproject.toml': '[project\ndependencies = ["redis',
      'config/app.yaml': 'redis:\n  host: [unterminated\n',
      '.env': '=\n==\nREDIS_HOST\n',
    });
    const findings = detect(scanRepo(dir));
    expect(findings.backing).toEqual([]);
    expect(findings.notes).toEqual(['package.json is not valid JSON: skipped']);
  });
});
