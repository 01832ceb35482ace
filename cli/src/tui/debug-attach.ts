// What `d` shows: how to attach a debugger to a service, and the VS Code launch.json entry
// that does it (debugpy for Python over DAP, the Node debugger over CDP).

import type { DebugEndpoint } from '@devenv/engine';

/** VS Code's own variable, written literally into launch.json. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a VS Code variable, not a JS template
const WORKSPACE_FOLDER = '${workspaceFolder}';

export interface AttachDetails {
  lines: string[];
  launchJson: string;
}

export function attachDetails(service: string, d: DebugEndpoint, projectDir?: string): AttachDetails {
  const host = d.hostIp === '0.0.0.0' || d.hostIp === '' ? '127.0.0.1' : d.hostIp;
  const lines = [
    `${d.type === 'python' ? 'Python (debugpy)' : 'Node.js'} · ${d.protocol === 'dap' ? 'Debug Adapter Protocol' : 'Chrome DevTools Protocol'}`,
    `attach to ${host}:${d.hostPort}`,
    ...(d.pathMappings.length === 0
      ? ['path mappings: none']
      : [
          'path mappings (local → in the service):',
          ...d.pathMappings.map((m) => `  ${m.localRoot} → ${m.remoteRoot}`),
        ]),
  ];
  const local = (root: string) =>
    projectDir && (root === projectDir || root.startsWith(`${projectDir}/`))
      ? WORKSPACE_FOLDER + root.slice(projectDir.length)
      : root;
  const config =
    d.type === 'python'
      ? {
          name: `devenv: attach ${service}`,
          type: 'debugpy',
          request: 'attach',
          connect: { host, port: d.hostPort },
          pathMappings: d.pathMappings.map((m) => ({ localRoot: local(m.localRoot), remoteRoot: m.remoteRoot })),
          justMyCode: false,
        }
      : {
          name: `devenv: attach ${service}`,
          type: 'node',
          request: 'attach',
          address: host,
          port: d.hostPort,
          ...(d.pathMappings[0]
            ? { localRoot: local(d.pathMappings[0].localRoot), remoteRoot: d.pathMappings[0].remoteRoot }
            : {}),
          restart: true,
        };
  return { lines, launchJson: JSON.stringify(config, null, 2) };
}
