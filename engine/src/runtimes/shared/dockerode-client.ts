// dockerode, without the two parts devenv rarely needs loaded up front. dockerode's entry
// requires lib/session.js, which loads gRPC and protobufjs (~110 modules) for BuildKit sessions
// (`buildImage({ version: '2' })`, which devenv does not use), and docker-modem requires ssh2 for
// `ssh://` engines. Loading them cost ~185 ms of CPU (235 ms → 50 ms measured for
// `require('dockerode')`) on every daemon start — the start of every `devenv up` after a `down` —
// and every CLI command that talks to Docker.
//
// Before dockerode loads, a stand-in for each of those two modules goes into Node's module cache;
// each is a function (what the real module exports) that loads the real module the first time
// it is called and hands over to it, so an `ssh://` DOCKER_HOST still works. If dockerode's
// layout ever changes (a path does not resolve), that module is not deferred and loads as before.

import { createRequire, Module } from 'node:module';
import type DockerodeType from 'dockerode';

const require = createRequire(import.meta.url);

/** The module paths that get a stand-in, relative to the packages that require them. */
export function deferrable(req: NodeJS.Require = require): string[] {
  const out: string[] = [];
  try {
    out.push(req.resolve('dockerode/lib/session.js'));
    const fromDockerode = createRequire(req.resolve('dockerode'));
    out.push(fromDockerode.resolve('docker-modem/lib/ssh.js'));
  } catch {
    // another layout: defer what was found (dockerode still loads whole where nothing was)
  }
  return out;
}

/** Put a loading stand-in in the module cache for each path not loaded yet; answers the paths. */
export function deferModules(paths: string[], req: NodeJS.Require = require): string[] {
  const deferred: string[] = [];
  for (const path of paths) {
    if (req.cache[path]) continue;
    const stand = new Module(path);
    stand.filename = path;
    stand.loaded = true;
    stand.exports = function loadOnFirstCall(this: unknown, ...args: unknown[]): unknown {
      if (req.cache[path] === stand) delete req.cache[path];
      const real = req(path) as (...a: unknown[]) => unknown;
      return real.apply(this, args);
    };
    req.cache[path] = stand;
    deferred.push(path);
  }
  return deferred;
}

deferModules(deferrable(require));

const Dockerode = require('dockerode') as typeof DockerodeType;
export default Dockerode;
