// Both process readers against this machine's real processes and sockets: whatever the process
// runtime, early health and the doctor rely on must hold for /proc (Linux) and for ps + lsof
// (macOS, and forced anywhere with DEVENV_PLATFORM=portable) alike.

import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { checkProcess, hostProcesses, platformKind } from './host-processes.js';

const kinds = process.platform === 'linux' ? (['procfs', 'portable'] as const) : (['portable'] as const);
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) {
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

/** A detached group: a shell leading it and a sleep below it, with a token in their environment. */
async function group(token: string): Promise<ChildProcess> {
  const child = spawn('/bin/sh', ['-c', 'sleep 30 & wait', 'devenv:probe'], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, DEVENV_TEST_TOKEN: token },
  });
  children.push(child);
  await new Promise((r) => setTimeout(r, 150));
  return child;
}

function listen(server: Server, host: string): Promise<number> {
  return new Promise((r) => server.listen(0, host, () => r((server.address() as AddressInfo).port)));
}

describe('choosing the reader', () => {
  it('is /proc on Linux, ps + lsof elsewhere, and DEVENV_PLATFORM forces either', () => {
    expect(platformKind({})).toBe(process.platform === 'linux' ? 'procfs' : 'portable');
    expect(platformKind({ DEVENV_PLATFORM: 'portable' })).toBe('portable');
    expect(platformKind({ DEVENV_PLATFORM: 'procfs' })).toBe('procfs');
  });
});

describe.each(kinds)('the %s reader', (kind) => {
  const host = hostProcesses(kind);

  it('can work here', async () => {
    expect(await host.unavailable()).toBeUndefined();
  });

  it('knows this process, its group and start, and that a pid with another start time is reused', async () => {
    const me = await host.info(process.pid);
    expect(me).toMatchObject({ pid: process.pid, ppid: process.ppid, state: expect.stringMatching(/^[RS]$/) });
    // The state letter (R, S) changes between two reads of a running process; the rest is fixed.
    expect({ ...host.infoSync(process.pid), state: '' }).toEqual({ ...me, state: '' });
    expect(await checkProcess(host, process.pid, me!.startTime)).toBe('alive');
    const started = await host.startedAt(me!);
    expect(Math.abs(started!.getTime() - (Date.now() - process.uptime() * 1000))).toBeLessThan(3000);
    expect(await host.info(2 ** 22 + 12_345)).toBeUndefined();
    expect(await checkProcess(host, 2 ** 22 + 12_345, me!.startTime)).toBe('gone');
  });

  it('finds the processes carrying a token, a group’s members, and the leader’s command line', async () => {
    const token = `t${Math.random().toString(16).slice(2)}`;
    const child = await group(token);
    const carrying = await host.withEnv('DEVENV_TEST_TOKEN', token);
    expect(carrying.length).toBe(2);
    expect(carrying.every((p) => p.pgrp === child.pid)).toBe(true);
    expect((await host.withEnv('DEVENV_TEST_TOKEN', token.slice(0, -1))).length).toBe(0);
    expect((await host.groupMembers(child.pid!)).map((p) => p.pid).sort()).toEqual(carrying.map((p) => p.pid).sort());
    expect(await host.commandLine(child.pid!)).toContain(' devenv:probe');
    process.kill(-child.pid!, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
    expect(await host.withEnv('DEVENV_TEST_TOKEN', token)).toEqual([]);
  });

  it('sees the TCP and UDP sockets a process listens on, and who holds a port', async () => {
    const tcp = createServer();
    const port = await listen(tcp, '127.0.0.1');
    const udp = createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    const udpPort = udp.address().port;
    try {
      const sockets = await host.listeningSockets([process.pid]);
      expect(sockets).toContainEqual({ protocol: 'tcp', address: '127.0.0.1', port });
      expect(sockets).toContainEqual({ protocol: 'udp', address: '127.0.0.1', port: udpPort });
      expect(await host.tcpPortsAround(process.pid)).toContain(port);
      expect(await host.portHolders(port)).toContainEqual(
        expect.objectContaining({ pid: process.pid, address: '127.0.0.1' }),
      );
    } finally {
      tcp.close();
      udp.close();
    }
    expect(await host.portHolders(port)).toEqual([]);
  });
});
