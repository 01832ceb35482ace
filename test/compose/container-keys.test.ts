// Container settings and resources on real Docker: one stack (test/fixtures/compose/container-keys)
// brought up once, then each honoured key shown on the created container, by `docker inspect` or
// by a look from inside.

import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { docker, dockerAvailable, imageExists } from '../helpers/docker.js';
import { waitUntil } from '../helpers/wait.js';
import { stack } from './helpers.js';

const fixture = join(repoRoot, 'test', 'fixtures', 'compose', 'container-keys');
const haveDocker = dockerAvailable() && imageExists('debian:bookworm-slim');
/** A block device of this machine, for the block IO limits (not a loop or zram device). */
const blockDevice = existsSync('/sys/block')
  ? readdirSync('/sys/block').find((d) => !/^(loop|zram|ram|sr)/.test(d))
  : undefined;
const hooksDir = mkdtempSync(join(tmpdir(), 'devenv-hooks-'));
const containerName = `devenvtest-named-${process.pid}`;
const s = stack(fixture, 'container-keys', {
  BLOCK_DEVICE: `/dev/${blockDevice ?? 'vda'}`,
  HOOKS_DIR: hooksDir,
  CONTAINER_NAME: containerName,
});

interface Inspect {
  Config: {
    Hostname: string;
    Domainname: string;
    ExposedPorts: Record<string, object>;
    Labels: Record<string, string>;
    StopSignal: string;
    StopTimeout: number;
    WorkingDir: string;
    Entrypoint: string[];
    Cmd: string[];
    User: string;
    MacAddress: string;
    Healthcheck?: { Test: string[] };
  };
  HostConfig: Record<string, unknown> & { LogConfig: { Type: string; Config: Record<string, string> } };
  Mounts: { Type: string; Source: string; Destination: string }[];
  Platform: string;
  State: { Health?: { Status: string } };
}

describe.skipIf(!haveDocker)('container keys on Docker (needs Docker and debian:bookworm-slim)', () => {
  beforeAll(async () => {
    await s.down();
    const r = await s.up();
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  });
  afterAll(async () => {
    await s.down();
  });

  it('hostname, domainname, expose, working_dir, entrypoint, command', () => {
    const c = s.inspect<Inspect>('box').Config;
    expect([c.Hostname, c.Domainname]).toEqual(['boxhost', 'example.internal']);
    expect(s.sh('box', 'hostname; cat /proc/sys/kernel/domainname; pwd')).toBe('boxhost\nexample.internal\n/tmp');
    expect(Object.keys(c.ExposedPorts).sort()).toEqual(['7000/tcp', '7001/udp', '7002/udp']);
    expect(c.Entrypoint).toEqual(['sh', '-c']);
    expect(c.Cmd[0]).toContain('trap');
  });

  it('container_name', async () => {
    const named = (await s.status()).find((r) => r.name === 'named')!;
    expect(docker(['inspect', '--format', '{{.Id}}', containerName])).toBe(named.containerId);
    expect(s.inspect<Inspect>('box').Config.Hostname).toBe('boxhost');
  });

  it('cap_add, cap_drop, security_opt, privileged', () => {
    const caps = (service: string) => {
      const hex = /CapEff:\s*([0-9a-f]+)/.exec(s.sh(service, 'cat /proc/self/status'))?.[1] ?? '0';
      return BigInt(`0x${hex}`);
    };
    const NET_ADMIN = 1n << 12n;
    const CHOWN = 1n << 0n;
    expect(caps('box') & NET_ADMIN).toBe(NET_ADMIN);
    expect(caps('box') & CHOWN).toBe(0n);
    expect(caps('user') & NET_ADMIN).toBe(0n);
    expect(s.sh('box', 'grep NoNewPrivs /proc/self/status')).toMatch(/NoNewPrivs:\s*1/);
  });

  // A privileged container gets every capability, so the engine's own root must hold them all.
  const lastCap = Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8'));
  const ownCaps = BigInt(`0x${/CapEff:\s*([0-9a-f]+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0'}`);
  const allCaps = ownCaps === (1n << BigInt(lastCap + 1)) - 1n;
  it.skipIf(!allCaps)(
    'privileged (needs a machine whose root holds every capability; here CapEff lacks some)',
    async () => {
      const priv = stack(fixture, 'container-keys-priv', {}, 'privileged.yaml');
      try {
        const r = await priv.up();
        expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
        expect(priv.inspect<Inspect>('priv').HostConfig.Privileged).toBe(true);
        expect(priv.sh('priv', 'grep CapEff /proc/self/status')).toContain(ownCaps.toString(16));
      } finally {
        await priv.down();
      }
    },
  );

  it('sysctls, ulimits, tmpfs with options, shm_size', () => {
    expect(s.sh('box', 'cat /proc/sys/net/core/somaxconn')).toBe('1024');
    expect(s.sh('box', 'ulimit -Sn; ulimit -Hn; ulimit -c')).toBe('1024\n2048\n0');
    const mounts = s.sh('box', 'cat /proc/mounts');
    expect(mounts).toMatch(/tmpfs \/scratch tmpfs [^ ]*noexec[^ ]*size=16384k/);
    expect(mounts).toMatch(/shm \/dev\/shm tmpfs [^ ]*size=32768k/);
  });

  it('labels and label_file, stop_signal, stop_grace_period', () => {
    const c = s.inspect<Inspect>('box').Config;
    expect(c.Labels).toMatchObject({
      'com.example.role': 'probe',
      'com.example.from-file': 'yes',
      'com.example.owner': 'alice',
    });
    expect([c.StopSignal, c.StopTimeout]).toEqual(['SIGUSR1', 3]);
  });

  it('extra_hosts (with host-gateway), dns, dns_search, dns_opt', () => {
    const hosts = s.sh('box', 'cat /etc/hosts');
    expect(hosts).toMatch(/10\.9\.8\.7\s+db\.local/);
    expect(hosts).toMatch(/\d+\.\d+\.\d+\.\d+\s+gw\.local/);
    const resolv = s.sh('box', 'cat /etc/resolv.conf');
    expect(resolv).toContain('search example.internal');
    expect(resolv).toContain('options ndots:2');
    // On a project network the embedded DNS answers and forwards to the configured server.
    expect(s.inspect<Inspect>('box').HostConfig.Dns).toEqual(['1.1.1.1']);
  });

  it('devices, device_cgroup_rules, group_add, user', () => {
    expect(s.sh('box', 'ls -l /dev/zero2')).toMatch(/^c.* 1, +5 /);
    expect(s.sh('box', 'cat /sys/fs/cgroup/devices/devices.list')).toContain('b 7:* rwm');
    expect(s.sh('box', 'id -nG')).toContain('audio');
    expect(s.sh('user', 'id')).toBe('uid=1000 gid=1000 groups=1000,4242');
  });

  it('init, read_only', () => {
    expect(s.sh('init', 'cat /proc/1/comm')).toBe('docker-init');
    expect(s.sh('ro', 'touch /x 2>&1 || true')).toContain('Read-only file system');
    expect(s.sh('ro', 'touch /tmp/x && echo ok')).toBe('ok');
  });

  it('pid, ipc, uts, userns_mode and network_mode host, cgroup, cgroup_parent', () => {
    const box = s.inspect<{ State: { Pid: number }; Id: string }>('box');
    const ns = s.inspect<Inspect & { Id: string }>('namespaces').HostConfig;
    expect(ns.PidMode).toBe(`container:${box.Id}`);
    expect(ns.IpcMode).toBe(`container:${box.Id}`);
    // Sharing box's PID namespace: box's idle loop is visible.
    expect(s.sh('namespaces', 'cat /proc/*/cmdline 2>/dev/null | tr "\\0" " "')).toContain("trap 'exit 0'");
    const host = s.inspect<Inspect>('hostns').HostConfig;
    expect([host.PidMode, host.UTSMode, host.UsernsMode, host.NetworkMode]).toEqual(['host', 'host', 'host', 'host']);
    expect(s.sh('hostns', 'hostname')).toBe(hostname());
    const boxHost = s.inspect<Inspect>('box').HostConfig;
    expect([boxHost.CgroupnsMode, boxHost.CgroupParent, boxHost.IpcMode]).toEqual([
      'private',
      '/devenvtest-cg',
      'shareable',
    ]);
    expect(s.sh('box', 'cat /proc/self/cgroup')).not.toContain('devenvtest-cg'); // a private cgroup namespace hides it
  });

  it('mac_address, platform, runtime, logging, oom_score_adj, oom_kill_disable, use_api_socket', () => {
    const box = s.inspect<Inspect>('box');
    expect(box.Config.MacAddress).toBe('02:42:ac:11:ff:01');
    expect(s.sh('box', 'cat /sys/class/net/eth0/address')).toBe('02:42:ac:11:ff:01');
    expect(box.Platform).toBe('linux');
    expect(box.HostConfig.Runtime).toBe('runc');
    expect(box.HostConfig.LogConfig).toEqual({ Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '2' } });
    expect(s.sh('box', 'cat /proc/1/oom_score_adj')).toBe('300');
    expect(box.HostConfig.OomKillDisable).toBe(false);
    expect(s.sh('box', 'test -S /var/run/docker.sock && echo socket')).toBe('socket');
  });

  it('memory, CPU, pid and block IO limits (legacy keys)', () => {
    const h = s.inspect<Inspect>('res').HostConfig;
    expect(h).toMatchObject({
      Memory: 256 * 1024 ** 2,
      MemorySwap: 512 * 1024 ** 2,
      MemoryReservation: 64 * 1024 ** 2,
      MemorySwappiness: 10,
      NanoCpus: 500_000_000,
      CpuShares: 512,
      CpusetCpus: '0',
      PidsLimit: 100,
    });
    expect(s.sh('res', 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max')).toBe(
      `${256 * 1024 ** 2}\n100`,
    );
    expect(s.sh('res', 'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpuset/cpuset.cpus')).toBe('50000\n0');
    expect(s.sh('res', 'cat /sys/fs/cgroup/blkio/blkio.throttle.read_bps_device')).toMatch(/^\d+:\d+ 1048576$/);
    expect(s.sh('res', 'cat /sys/fs/cgroup/blkio/blkio.throttle.write_iops_device')).toMatch(/^\d+:\d+ 100$/);
    const q = s.inspect<Inspect>('quota').HostConfig;
    expect([q.CpuQuota, q.CpuPeriod]).toEqual([50000, 100000]);
  });

  const bfq =
    blockDevice !== undefined && readFileSync(`/sys/block/${blockDevice}/queue/scheduler`, 'utf8').includes('bfq');
  it.skipIf(!bfq)('blkio_config.weight (needs a block device with the BFQ scheduler)', () => {
    expect(s.inspect<Inspect>('res').HostConfig.BlkioWeight).toBe(300);
  });

  it('deploy.resources limits and reservations, deploy.restart_policy', () => {
    const h = s.inspect<Inspect>('deployed').HostConfig;
    expect(h).toMatchObject({
      NanoCpus: 250_000_000,
      Memory: 128 * 1024 ** 2,
      PidsLimit: 50,
      MemoryReservation: 32 * 1024 ** 2,
      RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 4 },
    });
  });

  it('healthcheck.start_interval: healthy long before the 1 h interval; healthcheck.disable; post_start ran', async () => {
    const rows = await s.status();
    expect(rows.find((r) => r.name === 'health')).toMatchObject({ state: 'healthy', health: 'healthy' });
    expect(s.sh('health', 'cat /tmp/ready')).toBe('ready');
    expect(s.inspect<Inspect>('nohealth').Config.Healthcheck?.Test).toEqual(['NONE']);
  });

  it('pre_stop runs in the container before it stops', async () => {
    const r = await s.down();
    expect(r.code, r.stderr).toBe(0);
    await waitUntil('the pre_stop hook to write its file', () => existsSync(join(hooksDir, 'pre_stop')));
    expect(readFileSync(join(hooksDir, 'pre_stop'), 'utf8')).toBe('pre-stop-ran\n');
  });
});
