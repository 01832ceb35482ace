import { describe, expect, it } from 'vitest';
import { parsePortMapping, parsePortString } from './port-syntax.js';

const ok = (input: string | number) => {
  const r = parsePortString(input);
  if (!r.ok) throw new Error(r.problem.message);
  return r.ports;
};

describe('parsePortString', () => {
  it('publishes on 127.0.0.1 when the file names no address', () => {
    expect(ok('8000:80')).toEqual([
      { hostIp: '127.0.0.1', published: 8000, target: 80, protocol: 'tcp', hostIpExplicit: false },
    ]);
  });

  it('leaves the host port to the runtime for a bare container port (string or number)', () => {
    expect(ok('5432')).toEqual([{ hostIp: '127.0.0.1', target: 5432, protocol: 'tcp', hostIpExplicit: false }]);
    expect(ok(5432)).toEqual(ok('5432'));
  });

  it('honours an explicit address, including 0.0.0.0 and bracketed IPv6', () => {
    expect(ok('0.0.0.0:8000:8000')[0]).toMatchObject({ hostIp: '0.0.0.0', hostIpExplicit: true, published: 8000 });
    expect(ok('127.0.0.1:8000:8000/tcp')[0]).toMatchObject({ hostIp: '127.0.0.1', hostIpExplicit: true });
    expect(ok('[::1]:6000:6000')[0]).toMatchObject({ hostIp: '::1', published: 6000, target: 6000 });
    expect(ok('127.0.0.1::80')[0]).toEqual({ hostIp: '127.0.0.1', target: 80, protocol: 'tcp', hostIpExplicit: true });
  });

  it('expands ranges pairwise and reads the protocol', () => {
    expect(ok('9000-9001:8000-8001/udp')).toEqual([
      { hostIp: '127.0.0.1', published: 9000, target: 8000, protocol: 'udp', hostIpExplicit: false },
      { hostIp: '127.0.0.1', published: 9001, target: 8001, protocol: 'udp', hostIpExplicit: false },
    ]);
    expect(ok('3000-3002').map((p) => p.target)).toEqual([3000, 3001, 3002]);
  });

  it('keeps a host range for one container port whole: each instance takes a free port of it', () => {
    expect(ok('8000-8002:80')).toEqual([
      { hostIp: '127.0.0.1', published: 8000, publishedEnd: 8002, target: 80, protocol: 'tcp', hostIpExplicit: false },
    ]);
  });

  it('rejects out-of-range ports with a range hint', () => {
    const r = parsePortString('8000:99999');
    expect(r).toMatchObject({
      ok: false,
      problem: { code: 'config.port-out-of-range', hint: 'use a port between 1 and 65535' },
    });
    expect(parsePortString('0:80')).toMatchObject({ ok: false, problem: { code: 'config.port-out-of-range' } });
  });

  it('rejects syntax errors', () => {
    for (const bad of ['80a', 'abc:80', '8000:80/sctp', '1-3:80-81', 'localhost:80:80', '9000-8000:1-2', '']) {
      const r = parsePortString(bad);
      expect(r.ok, bad).toBe(false);
    }
    expect(parsePortString('localhost:80:80')).toMatchObject({
      problem: { hint: 'use `127.0.0.1` instead of `localhost`' },
    });
  });
});

describe('parsePortMapping', () => {
  it('reads the long form with the same defaults', () => {
    expect(parsePortMapping({ target: 80, published: '8080' })).toEqual({
      ok: true,
      ports: [{ hostIp: '127.0.0.1', published: 8080, target: 80, protocol: 'tcp', hostIpExplicit: false }],
    });
    expect(parsePortMapping({ target: 53, host_ip: '0.0.0.0', protocol: 'udp' })).toEqual({
      ok: true,
      ports: [{ hostIp: '0.0.0.0', target: 53, protocol: 'udp', hostIpExplicit: true }],
    });
  });

  it('names the field at fault', () => {
    expect(parsePortMapping({ target: 80, published: 70000 })).toMatchObject({
      ok: false,
      problem: { field: 'published' },
    });
    expect(parsePortMapping({ published: 80 })).toMatchObject({ ok: false, problem: { code: 'config.invalid-port' } });
    expect(parsePortMapping({ target: 80, host_ip: 'nope' })).toMatchObject({
      ok: false,
      problem: { field: 'host_ip' },
    });
  });
});
