import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type InstanceRecord,
  instanceId,
  newToken,
  parseInstanceId,
  parseRecord,
  RECORD_VERSION,
  RecordStore,
} from './instance-record.js';

const scratch: string[] = [];
/** A temp directory removed after the file's tests. */
function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `devenv-unit-${prefix}`));
  scratch.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

function record(service: string, extra: Partial<InstanceRecord> = {}): InstanceRecord {
  return {
    version: RECORD_VERSION,
    project: 'p',
    service,
    token: newToken(),
    specHash: 'h',
    process: { command: ['sleep', '1'], cwd: '/', env: {} },
    stopSignal: 'SIGTERM',
    createdAt: new Date().toISOString(),
    status: 'created',
    ...extra,
  };
}

describe('instance ids', () => {
  it('round-trip service and token, services with colons included', () => {
    const token = newToken();
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect(parseInstanceId(instanceId('web', token))).toEqual({ service: 'web', token });
    expect(parseInstanceId(instanceId('a:b', token))).toEqual({ service: 'a:b', token });
    expect(parseInstanceId('4f1c0e…docker-id')).toBeUndefined();
  });
});

describe('RecordStore', () => {
  it('writes 0600 records atomically: no temp file left, readers never see half a record', async () => {
    const store = new RecordStore(scratchDir('rec-'));
    const rec = record('web');
    await store.write(rec);
    expect(statSync(store.path('web')).mode & 0o777).toBe(0o600);
    expect(statSync(store.dir).mode & 0o777).toBe(0o700);
    // Many concurrent writers of growing records, one reader racing them.
    let torn = 0;
    let reading = true;
    const reader = (async () => {
      while (reading) {
        const text = readFileSync(store.path('web'), 'utf8');
        if (!parseRecord(text)) torn++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.write({ ...rec, process: { ...rec.process, env: { PAD: 'x'.repeat(i * 1000) } } }),
      ),
    );
    reading = false;
    await reader;
    expect(torn).toBe(0);
    expect(readdirSync(store.dir)).toEqual(['web.json']);
    expect((await store.read('web'))?.token).toBe(rec.token);
  });

  it('lists records and ignores unreadable or foreign files', async () => {
    const store = new RecordStore(scratchDir('rec-'));
    await store.write(record('a'));
    await store.write(record('b', { status: 'running', pid: 42, pgid: 42, startTime: '7' }));
    writeFileSync(join(store.dir, 'broken.json'), '{"version": 1, "service"');
    writeFileSync(join(store.dir, 'old.json'), JSON.stringify({ ...record('old'), version: 0 }));
    writeFileSync(join(store.dir, 'notes.txt'), 'hi');
    expect((await store.list()).map((r) => r.service).sort()).toEqual(['a', 'b']);
    expect(await store.read('missing')).toBeUndefined();
  });

  it('reads the exit code the wrapper wrote, and deletes record and exit file together', async () => {
    const store = new RecordStore(scratchDir('rec-'));
    const rec = record('job');
    await store.write(rec);
    expect(await store.readExitCode('job', rec.token)).toBeUndefined();
    writeFileSync(store.exitFile('job', rec.token), '3\n');
    expect(await store.readExitCode('job', rec.token)).toBe(3);
    await store.delete('job', rec.token);
    expect(readdirSync(store.dir)).toEqual([]);
  });
});
