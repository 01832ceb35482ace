// The keys the key table honours, read into the spec the runtimes use: each one's value in its
// normalised form (sizes in bytes, modes as numbers, references resolved, implied dependencies).

import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { memoryFs } from './config-fs.js';
import { type LoadOptions, loadProject } from './load-project.js';

function load(files: Record<string, string>, opts: LoadOptions = {}) {
  return loadProject({ cwd: '/p', env: { HOME: '/home/me', TOKEN: 'from-env' }, fs: memoryFs(files), ...opts });
}

describe('the honoured keys in the spec', () => {
  it('container settings', async () => {
    const { project } = await load({
      '/p/compose.yaml': `services:
  db: {image: pg}
  app:
    image: app
    container_name: the-app
    hostname: app01
    domainname: example.internal
    expose: ["7000-7001/udp"]
    cap_add: [net_admin]
    cap_drop: [CAP_CHOWN]
    security_opt: ["no-new-privileges:true", "label:type:svirt_t"]
    sysctls: [net.core.somaxconn=1024]
    ulimits: {nofile: 4096, nproc: {soft: 10, hard: 20}}
    shm_size: 64m
    init: "true"
    read_only: true
    platform: linux/arm64/v8
    runtime: runc
    pid: host
    ipc: service:db
    devices: ["/dev/fuse", {source: /dev/zero, target: /dev/z, permissions: r}]
    group_add: [audio, 1001]
    extra_hosts: {db.local: 10.0.0.5, gw: host-gateway}
    annotations: {a.b/c: d}
    logging: {driver: json-file, options: {max-size: 1m, max-file: 2}}
    volumes_from: [db, "container:data:ro"]
    oom_score_adj: -500
    stop_signal: term
  side:
    image: side
    network_mode: service:db
`,
    });
    const app = project.services.app!;
    expect(app.container).toMatchObject({
      containerName: 'the-app',
      hostname: 'app01',
      domainname: 'example.internal',
      expose: [
        { port: 7000, protocol: 'udp' },
        { port: 7001, protocol: 'udp' },
      ],
      capAdd: ['CAP_NET_ADMIN'],
      capDrop: ['CAP_CHOWN'],
      securityOpt: ['no-new-privileges=true', 'label=type:svirt_t'],
      sysctls: { 'net.core.somaxconn': '1024' },
      ulimits: { nofile: { soft: 4096, hard: 4096 }, nproc: { soft: 10, hard: 20 } },
      shmSize: 64 * 1024 ** 2,
      init: true,
      readOnly: true,
      platform: 'linux/arm64/v8',
      runtime: 'runc',
      pid: { kind: 'host' },
      ipc: { kind: 'service', service: 'db' },
      devices: [
        { source: '/dev/fuse', target: '/dev/fuse', permissions: 'rwm' },
        { source: '/dev/zero', target: '/dev/z', permissions: 'r' },
      ],
      groupAdd: ['audio', '1001'],
      extraHosts: [
        { host: 'db.local', address: '10.0.0.5' },
        { host: 'gw', address: 'host-gateway' },
      ],
      annotations: { 'a.b/c': 'd' },
      logging: { driver: 'json-file', options: { 'max-size': '1m', 'max-file': '2' } },
      volumesFrom: [
        { from: { kind: 'service', service: 'db' }, readOnly: false },
        { from: { kind: 'container', container: 'data' }, readOnly: true },
      ],
      oomScoreAdj: -500,
    });
    expect(app.stopSignal).toBe('SIGTERM');
    // ipc and volumes_from on `db`, and network_mode, start it first.
    expect(app.dependsOn.db).toEqual({ condition: 'service_started', required: true, restart: false });
    expect(project.services.side!.container?.networkMode).toEqual({ kind: 'service', service: 'db' });
    expect(project.services.side!.dependsOn.db).toBeDefined();
  });

  it('resources, replicas and the restart policy', async () => {
    const { project } = await load({
      '/p/compose.yaml': `services:
  api:
    image: api
    mem_limit: 1.5g
    memswap_limit: -1
    mem_swappiness: 0
    cpus: "1.5"
    cpu_shares: 512
    cpuset: 0-1
    pids_limit: -1
    deploy:
      replicas: 3
      resources:
        limits: {memory: 1536M}
        reservations: {cpus: 0.5, memory: 256M}
      restart_policy: {condition: on-failure, max_attempts: 5}
  off:
    image: off
    scale: 0
`,
    });
    expect(project.services.api).toMatchObject({
      replicas: 3,
      resources: {
        memoryLimit: 1.5 * 1024 ** 3,
        memorySwapLimit: -1,
        memorySwappiness: 0,
        cpus: 1.5,
        cpuShares: 512,
        cpuset: '0-1',
        pidsLimit: -1,
        cpuReservation: 0.5,
        memoryReservation: 256 * 1024 ** 2,
      },
      restart: { name: 'on-failure', maxRetries: 5 },
    });
    // scale 0: the service runs no instance, like a disabled profile.
    expect(project.services.off).toBeUndefined();
    expect(project.disabledServices?.off).toBeDefined();
  });

  it('secrets and configs, with targets, owners, modes (octal as written) and content from variables', async () => {
    const { project } = await load({
      '/p/s.txt': 'from-file',
      '/p/compose.yaml': `services:
  app:
    image: app
    secrets:
      - s
      - {source: t, target: token, uid: "1000", gid: "1000", mode: 0440}
    configs:
      - c
      - {source: c, target: /etc/c.conf, mode: 0600}
secrets:
  s: {file: ./s.txt}
  t: {environment: TOKEN}
configs:
  c: {content: "inline"}
`,
    });
    expect(project.services.app!.files).toEqual([
      { kind: 'secret', source: 's', target: '/run/secrets/s', file: '/p/s.txt' },
      {
        kind: 'secret',
        source: 't',
        target: '/run/secrets/token',
        content: 'from-env',
        uid: '1000',
        gid: '1000',
        mode: 0o440,
      },
      { kind: 'config', source: 'c', target: '/c', content: 'inline' },
      { kind: 'config', source: 'c', target: '/etc/c.conf', content: 'inline', mode: 0o600 },
    ]);
  });

  it('networks with attachments, IPAM, and their own names; mounts with their options', async () => {
    const { project } = await load({
      '/p/data/': '',
      '/p/compose.yaml': `services:
  app:
    image: app
    networks:
      back:
        aliases: [db-proxy]
        ipv4_address: 10.5.0.7
        priority: 5
      front: {}
    volumes:
      - type: bind
        source: ./data
        target: /data
        bind: {propagation: rshared, selinux: Z}
      - type: volume
        source: v
        target: /v
        volume: {nocopy: true, subpath: sub/dir, labels: {a: b}}
      - type: tmpfs
        target: /t
        tmpfs: {size: 1m, mode: 01777}
    tmpfs: ["/run:size=2m,uid=1000"]
networks:
  back:
    name: shared-back
    internal: true
    ipam: {config: [{subnet: 10.5.0.0/16, gateway: 10.5.0.1}]}
  front:
    external: {name: corp-front}
volumes:
  v: {name: the-volume, driver_opts: {type: nfs}}
`,
    });
    const app = project.services.app!;
    expect(app.networkAttachments?.back).toEqual({
      aliases: ['db-proxy'],
      ipv4Address: '10.5.0.7',
      priority: 5,
      linkLocalIps: [],
      driverOpts: {},
    });
    expect(project.networks.back).toMatchObject({
      realName: 'shared-back',
      internal: true,
      ipam: { config: [{ subnet: '10.5.0.0/16', gateway: '10.5.0.1' }] },
    });
    expect(project.networks.front).toMatchObject({ external: true, realName: 'corp-front' });
    expect(project.volumes.v).toMatchObject({ realName: 'the-volume', driverOpts: { type: 'nfs' } });
    expect(app.volumes).toEqual([
      { type: 'bind', source: '/p/data', target: '/data', readOnly: false, propagation: 'rshared', selinux: 'Z' },
      {
        type: 'volume',
        source: 'v',
        target: '/v',
        readOnly: false,
        noCopy: true,
        subpath: 'sub/dir',
        volumeLabels: { a: 'b' },
      },
      { type: 'tmpfs', target: '/t', readOnly: false, tmpfsSize: 1024 ** 2, tmpfsMode: 0o1777 },
      { type: 'tmpfs', target: '/run', readOnly: false, tmpfsSize: 2 * 1024 ** 2, tmpfsOptions: ['uid=1000'] },
    ]);
  });

  it('hooks, pull policy, label files, build options and include', async () => {
    const { project } = await load({
      '/p/app.labels': 'com.example.a=1\n# no\ncom.example.b=2\n',
      '/p/db/compose.yaml': 'services:\n  db:\n    image: pg\n    env_file: ./db.env\n',
      '/p/db/db.env': 'DB=1\n',
      '/p/Dockerfile': 'FROM x\n',
      '/p/compose.yaml': `include: [./db/compose.yaml]
services:
  app:
    build:
      context: .
      dockerfile_inline: "FROM scratch"
      labels: {l: v}
      tags: [extra:1]
      shm_size: 1g
      extra_hosts: ["mirror:10.1.1.1"]
      ulimits: {nofile: 10}
      no_cache: true
      network: host
    pull_policy: every_2h30m
    label_file: ./app.labels
    labels: {com.example.b: own}
    post_start:
      - command: echo started
        user: root
        environment: [A=1]
    pre_stop:
      - command: ["sh", "-c", "sleep 1"]
        privileged: true
`,
    });
    const app = project.services.app!;
    expect(app.build).toMatchObject({
      dockerfileInline: 'FROM scratch',
      labels: { l: 'v' },
      tags: ['extra:1'],
      shmSize: 1024 ** 3,
      extraHosts: ['mirror:10.1.1.1'],
      ulimits: { nofile: { soft: 10, hard: 10 } },
      noCache: true,
      network: 'host',
    });
    expect(app.pullPolicy).toEqual({ kind: 'every', ms: 2.5 * 3_600_000 });
    expect(app.labels).toEqual({ 'com.example.a': '1', 'com.example.b': 'own' });
    expect(app.hooks).toEqual({
      postStart: [{ command: ['echo', 'started'], user: 'root', privileged: false, environment: { A: '1' } }],
      preStop: [{ command: ['sh', '-c', 'sleep 1'], privileged: true, environment: {} }],
    });
    // The included service's env_file is relative to its own file.
    expect(project.services.db!.environment).toEqual({ DB: '1' });
  });

  it('refuses a key no runtime honours while loading, and reports nothing for services that do not run', async () => {
    await expect(
      load({ '/p/compose.yaml': 'services:\n  a:\n    image: a\n    storage_opt: {size: 1G}\n' }),
    ).rejects.toThrow(UserError);
    const { warnings } = await load({
      '/p/compose.yaml': 'services:\n  a:\n    image: a\n  b:\n    image: b\n    profiles: [x]\n    gpus: all\n',
    });
    expect(warnings).toEqual([]);
  });
});
