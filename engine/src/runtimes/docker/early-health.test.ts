import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { countListening, listeningIn, ProbeSchedule, probeCommand } from './early-health.js';

const opts = { maxInFlight: 2, minSpacingMs: 250, gapFactor: 4, minGapMs: 1000, maxGapMs: 10_000 };

describe('ProbeSchedule', () => {
  it('waits a whole minimum gap after the container starts when it shows no progress', () => {
    const s = new ProbeSchedule(opts, 0);
    expect(s.next(0)).toBe(1000);
    expect(s.next(400)).toBe(600);
    expect(s.next(1000)).toBe(0);
  });

  it('never overlaps clock probes, and spaces them by four times the last probe’s duration', () => {
    const s = new ProbeSchedule(opts, 0);
    s.started(1000);
    expect(s.next(1500)).toBeUndefined(); // one in flight, no progress: wait for it
    s.finished(500); // a `node -e fetch(…)` under load
    expect(s.next(1500)).toBe(1500); // started at 1000, gap 4 × 500
    expect(s.next(3000)).toBe(0);
    s.started(3000);
    s.finished(6000); // a Celery ping that waited out its 5 s timeout: the gap is the interval
    expect(s.next(9000)).toBe(4000);
  });

  it('clamps the clock gap to [minGap, maxGap]', () => {
    const fast = new ProbeSchedule(opts, 0);
    fast.started(0);
    fast.finished(20); // refused at once
    expect(fast.next(20)).toBe(980);
    const slow = new ProbeSchedule(opts, 0);
    slow.started(0);
    slow.finished(30_000);
    expect(slow.next(30_000)).toBe(0); // maxGap 10 s passed long ago
    expect(new ProbeSchedule({ ...opts, maxGapMs: 2000 }, 0).next(0)).toBe(1000);
  });

  it('begins a probe at once on progress, beside one still in flight', () => {
    const s = new ProbeSchedule(opts, 0);
    s.started(1000);
    s.activity(); // "celery@worker ready." while the first ping waits for its timeout
    expect(s.next(3000)).toBe(0);
    s.started(3000);
    s.activity();
    expect(s.next(3100)).toBeUndefined(); // two in flight: the progress waits for one to end
    s.finished(200);
    expect(s.next(3200)).toBe(50); // then it goes, 250 ms after the last start
    expect(s.next(3250)).toBe(0);
  });

  it('turns a burst of output into one probe, not one per line', () => {
    const s = new ProbeSchedule(opts, 0);
    s.activity();
    expect(s.next(5000)).toBe(0);
    s.started(5000);
    for (let i = 0; i < 20; i++) s.activity();
    expect(s.next(5001)).toBe(249);
    s.started(5250);
    expect(s.next(5260)).toBeUndefined(); // the burst is covered; two in flight
    s.finished(100);
    s.finished(100);
    expect(s.next(5300)).toBe(950); // back on the clock: minGap after the last start
  });

  it('progress seen before a probe starts is covered by that probe', () => {
    const s = new ProbeSchedule(opts, 0);
    s.activity();
    s.started(100);
    expect(s.next(200)).toBeUndefined();
  });
});

describe('probeCommand', () => {
  it('runs CMD as argv and CMD-SHELL through /bin/sh; NONE and empty tests are not probed', () => {
    expect(probeCommand(['CMD', 'pg_isready', '-h', '127.0.0.1'])).toEqual(['pg_isready', '-h', '127.0.0.1']);
    expect(probeCommand(['CMD-SHELL', 'redis-cli ping | grep -q PONG'])).toEqual([
      '/bin/sh',
      '-c',
      'redis-cli ping | grep -q PONG',
    ]);
    expect(probeCommand(['NONE'])).toBeUndefined();
    expect(probeCommand(['CMD'])).toBeUndefined();
  });
});

describe('countListening', () => {
  it('reads LISTEN rows (st 0A) of a /proc/net/tcp table', () => {
    const table = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1 0 100 0 0 10 0',
      '   1: 0100007F:1F40 0100007F:9C40 01 00000000:00000000 00:00000000 00000000  1000        0 2 1 0 20 4 30 10 -1',
      '   2: 00000000:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3 1 0 100 0 0 10 0',
      '',
    ].join('\n');
    expect(listeningIn(table)).toBe(2);
    expect(listeningIn(table.split('\n')[0]!)).toBe(0);
  });

  it('sees a socket this process listens on', async () => {
    if (process.platform !== 'linux') return expect(await countListening(process.pid)).toBeUndefined();
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      expect(await countListening(process.pid)).toBeGreaterThanOrEqual(1);
    } finally {
      server.close();
    }
  });

  it('says undefined for a process it cannot see', async () => {
    expect(await countListening(2 ** 22 + 12_345)).toBeUndefined();
  });
});
