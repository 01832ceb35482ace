import { execFileSync } from 'node:child_process';
import Docker from 'dockerode';
import { openDockerChannel } from '../../engine/dist/sync/docker-transport.js';

const docker = new Docker();
const c = await docker.createContainer({
  Image: 'debian:bookworm-slim',
  name: 'syncdev-dbg',
  Cmd: ['sleep', 'infinity'],
  HostConfig: { Init: true },
});
await c.start();
const fp = () =>
  execFileSync(
    'docker',
    [
      'exec',
      'syncdev-dbg',
      'sh',
      '-c',
      "find / -mindepth 1 -xdev \\( -path /app -o -path /proc -o -path /sys -o -path /dev -o -path /.devenv \\) -prune -o -printf '%p %s %T@\\n' | sort",
    ],
    { encoding: 'utf8' },
  );
try {
  const a = fp();
  const ch = await openDockerChannel(docker, c.id, { forceArchive: process.argv[2] === 'a' });
  const t = await ch.target('/app/x');
  await t.apply([
    { op: 'write', path: 'f', mode: 0o644, data: Buffer.from('x') },
    { op: 'delete', path: 'f' },
  ]);
  await ch.close();
  const b = fp();
  const A = new Set(a.split('\n')),
    B = new Set(b.split('\n'));
  console.log(
    'removed',
    [...A].filter((x) => !B.has(x)),
  );
  console.log(
    'added',
    [...B].filter((x) => !A.has(x)),
  );
} finally {
  await c.remove({ force: true });
}
