import { type AddressInfo, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DEBUG_PORT_LABEL } from '../../model/spec.js';
import { hostProcesses } from '../../platform/host-processes.js';
import { listeningPortsOf, ownPorts, ProbeSchedule, probeCommand } from './early-health.js';

const opts = {
  maxInFlight: 2,
  minSpacingMs: 250,
  quietMs: 300,
  maxQuietWaitMs: 2000,
  firstGapMs: 1000,
  gapFactor: 4,
  minGapMs: 1000,
  maxGapMs: 10_000,
};

describe('ProbeSchedule', () => {
  it('waits a whole minimum gap after the container starts when it shows no progress', () => {
    const s = new ProbeSchedule(opts, 0);
    expect(s.next(0)).toBe(1000);
    expect(s.next(400)).toBe(600);
    expect(s.next(1000)).toBe(0);
  });

  it('never overlaps clock probes, and spaces them by a multiple of the last probe’s duration', () => {
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

  it('waits firstGap for the first clock probe, however long the later gaps are', () => {
    const s = new ProbeSchedule({ ...opts, firstGapMs: 5000 }, 0); // a worker with a 10 s interval
    expect(s.next(2000)).toBe(3000);
    s.started(5000);
    s.finished(100);
    expect(s.next(5100)).toBe(900); // then minGap after it
    const early = new ProbeSchedule({ ...opts, firstGapMs: 5000 }, 0);
    early.activity(1000); // a sign of progress does not wait for the clock
    expect(early.next(1300)).toBe(0);
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

  it('probes once the output goes quiet after progress, beside a probe still in flight', () => {
    const s = new ProbeSchedule(opts, 0);
    s.started(1000);
    s.activity(2700); // "celery@worker ready." while the first ping waits out its timeout
    expect(s.next(2800)).toBe(200); // quiet for 300 ms first
    expect(s.next(3000)).toBe(0);
    s.started(3000);
    s.activity(3100);
    expect(s.next(3400)).toBeUndefined(); // two in flight: the progress waits for one to end
    s.finished(200);
    expect(s.next(3400)).toBe(0);
  });

  it('turns a burst of output into one probe, after the burst', () => {
    const s = new ProbeSchedule(opts, 0);
    for (let t = 5000; t < 5200; t += 10) s.activity(t); // a banner of twenty lines
    expect(s.next(5200)).toBe(290); // 300 ms after its last line
    expect(s.next(5490)).toBe(0);
    s.started(5490);
    expect(s.next(5500)).toBeUndefined(); // the burst is covered; the clock waits for the probe
    s.finished(100);
    expect(s.next(5600)).toBe(890); // back on the clock: minGap after the last start
  });

  it('does not wait for quiet forever: a service that never stops printing is probed after maxQuietWait', () => {
    const s = new ProbeSchedule(opts, 0);
    for (let t = 1000; t <= 2900; t += 100) s.activity(t);
    expect(s.next(2900)).toBe(100); // first sign at 1000, at most 2 s
    s.activity(3000);
    expect(s.next(3000)).toBe(0);
  });

  it('keeps progress probes the minimum spacing apart', () => {
    const s = new ProbeSchedule(opts, 0);
    s.activity(0);
    s.started(300);
    s.activity(310);
    expect(s.next(500)).toBe(110); // quiet at 610 > lastStart + spacing 550
    const t = new ProbeSchedule({ ...opts, quietMs: 10 }, 0);
    t.activity(0);
    t.started(10);
    t.activity(20);
    expect(t.next(30)).toBe(230); // quiet at 30, but the spacing holds until 260
  });

  it('progress seen before a probe starts is covered by that probe', () => {
    const s = new ProbeSchedule(opts, 0);
    s.activity(0);
    s.started(400);
    expect(s.next(500)).toBeUndefined();
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

describe.each(['procfs', 'portable'] as const)('listening ports, read by the %s reader', (kind) => {
  const host = hostProcesses(kind);
  const usable = kind === 'portable' || process.platform === 'linux';

  it.runIf(usable)('sees a port this process listens on', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      expect(await listeningPortsOf(process.pid, host, 'linux')).toContain(port);
    } finally {
      server.close();
    }
  });

  it('says undefined for a process it cannot see, and off Linux (a container is not a process of this kernel)', async () => {
    expect(await listeningPortsOf(2 ** 22 + 12_345, host, 'linux')).toBeUndefined();
    expect(await listeningPortsOf(process.pid, host, 'darwin')).toBeUndefined();
  });
});

describe('own ports', () => {
  it('counts the TCP ports a container exposes, except its debugger’s', () => {
    const exposed = { '8000/tcp': {}, '5678/tcp': {}, '5353/udp': {}, '9000': {} };
    expect([...ownPorts(exposed, { [DEBUG_PORT_LABEL]: '5678' })].sort()).toEqual([8000, 9000]);
    expect([...ownPorts(exposed, {})].sort()).toEqual([5678, 8000, 9000]);
    expect(ownPorts(undefined, undefined).size).toBe(0);
  });
});
