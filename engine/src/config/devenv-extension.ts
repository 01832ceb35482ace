// Service-level and top-level `x-devenv` → ServiceExtension / ProjectExtension. The schema has
// checked the shapes; here paths become absolute and checked, commands are split, probes get
// their defaults, and the probe kinds get the fields they need.

import type {
  CiSpec,
  CiTest,
  DebugSpec,
  ProcessProbe,
  ProcessSpec,
  ProjectExtension,
  ServiceExtension,
} from '../model/spec.js';
import { ConfigCode } from './codes.js';
import { type ConfigNode, child, isMap, isScalar, isSeq, text } from './config-node.js';
import { hostPath } from './mounts.js';
import { bool, commandList, durationMs, stringMap } from './node-values.js';
import type { NormaliseContext } from './normalise-context.js';

/** Probe defaults for the process runtime: faster than Compose's, since a local process starts quickly. */
export const PROBE_DEFAULTS = { intervalMs: 1000, timeoutMs: 5000, retries: 3 } as const;

export function normaliseServiceExtension(
  node: ConfigNode | undefined,
  ctx: NormaliseContext,
  service: string,
  buildContext: string | undefined,
): ServiceExtension {
  const out: ServiceExtension = {};
  if (!isMap(node)) return out;
  const process = child(node, 'process');
  if (isMap(process)) {
    const spec = normaliseProcess(process, ctx, service, buildContext);
    if (spec) out.process = spec;
  }
  const debug = child(node, 'debug');
  if (debug !== undefined) {
    const spec = normaliseDebug(debug);
    if (spec !== undefined) out.debug = spec;
  }
  const reload = text(child(node, 'reload'));
  if (reload === 'fork' || reload === 'native') out.reload = reload;
  const urlNode = child(node, 'url');
  const url = text(urlNode);
  if (url !== undefined && urlNode) {
    if (URL.canParse(url)) out.url = url;
    else {
      ctx.diagnostics.error(
        ConfigCode.invalidUrl,
        `\`x-devenv.url\` of service \`${service}\` is not a URL: ${url}`,
        urlNode.loc,
        'write a full URL with its scheme, e.g. `http://localhost:8000`',
      );
    }
  }
  return out;
}

function normaliseProcess(
  node: ConfigNode,
  ctx: NormaliseContext,
  service: string,
  buildContext: string | undefined,
): ProcessSpec | undefined {
  const command = commandList(child(node, 'command'), ctx, `\`x-devenv.process.command\` of service \`${service}\``);
  const cwdNode = child(node, 'cwd');
  const rawCwd = text(cwdNode);
  const cwd = rawCwd === undefined ? (buildContext ?? ctx.projectDir) : hostPath(rawCwd, ctx.projectDir, ctx.home);
  if (rawCwd !== undefined && cwdNode && !ctx.fs.isDirectory(cwd)) {
    ctx.diagnostics.error(
      ConfigCode.processCwdMissing,
      `\`x-devenv.process.cwd\` of service \`${service}\` is not a directory: ${cwd}`,
      cwdNode.loc,
      `create it, or fix the path (relative paths start at ${ctx.projectDir})`,
    );
  }
  const spec: ProcessSpec = { command: command ?? [], cwd, env: stringMap(child(node, 'env'), ctx) };
  const user = text(child(node, 'user'));
  if (user !== undefined) spec.user = user;
  const initNode = child(node, 'init');
  if (isMap(initNode)) {
    const initCommand = commandList(
      child(initNode, 'command'),
      ctx,
      `\`x-devenv.process.init.command\` of service \`${service}\``,
    );
    const creates = text(child(initNode, 'creates'));
    if (initCommand) spec.init = creates === undefined ? { command: initCommand } : { command: initCommand, creates };
  }
  const probeNode = child(node, 'healthcheck');
  if (isMap(probeNode)) {
    const probe = normaliseProbe(probeNode, ctx, service);
    if (probe) spec.healthcheck = probe;
  }
  return command ? spec : undefined;
}

function normaliseProbe(node: ConfigNode, ctx: NormaliseContext, service: string): ProcessProbe | undefined {
  const where = `\`x-devenv.process.healthcheck\` of service \`${service}\``;
  const timing = {
    intervalMs: durationMs(child(node, 'interval'), ctx, `interval of ${where}`) ?? PROBE_DEFAULTS.intervalMs,
    timeoutMs: durationMs(child(node, 'timeout'), ctx, `timeout of ${where}`) ?? PROBE_DEFAULTS.timeoutMs,
    retries: isScalar(child(node, 'retries')) ? Number(text(child(node, 'retries'))) : PROBE_DEFAULTS.retries,
  };
  const missing = (key: string, hint: string) => {
    ctx.diagnostics.error(
      ConfigCode.invalidProbe,
      `${where} of type \`${text(child(node, 'type'))}\` needs \`${key}\``,
      node.loc,
      hint,
    );
    return undefined;
  };
  switch (text(child(node, 'type'))) {
    case 'command': {
      const command = commandList(child(node, 'command'), ctx, `\`command\` of ${where}`);
      if (!command) return missing('command', 'add `command: ["curl", "-f", "http://localhost:8000/health"]`');
      return { type: 'command', command, ...timing };
    }
    case 'http': {
      const urlNode = child(node, 'url');
      const url = text(urlNode);
      if (url === undefined || !urlNode) return missing('url', 'add `url: http://localhost:8000/health`');
      if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
        ctx.diagnostics.error(
          ConfigCode.invalidProbe,
          `${where} has an invalid url: ${url}`,
          urlNode.loc,
          'write a full http:// or https:// URL',
        );
        return undefined;
      }
      return { type: 'http', url, ...timing };
    }
    case 'tcp': {
      const port = child(node, 'port');
      if (!isScalar(port) || port.value === null)
        return missing('port', 'add `port: 5432` (and `host:` if not 127.0.0.1)');
      return { type: 'tcp', host: text(child(node, 'host')) ?? '127.0.0.1', port: Number(port.value), ...timing };
    }
    default:
      return undefined;
  }
}

function normaliseDebug(node: ConfigNode): DebugSpec | false | undefined {
  if (isScalar(node)) {
    if (node.value === false) return false;
    if (node.value === 'python' || node.value === 'node') return { type: node.value, wait: false };
    return undefined;
  }
  const type = text(child(node, 'type'));
  if (type !== 'python' && type !== 'node') return undefined;
  const spec: DebugSpec = { type, wait: bool(child(node, 'wait')) };
  const port = child(node, 'port');
  const hostPort = child(node, 'host_port');
  if (isScalar(port) && typeof port.value === 'number') spec.port = port.value;
  if (isScalar(hostPort) && typeof hostPort.value === 'number') spec.hostPort = hostPort.value;
  return spec;
}

export function normaliseProjectExtension(node: ConfigNode | undefined, ctx: NormaliseContext): ProjectExtension {
  const runtime = text(child(node, 'runtime'));
  const out: ProjectExtension = {};
  if (runtime === 'auto' || runtime === 'docker' || runtime === 'process' || runtime === 'kind' || runtime === 'k3d') {
    out.runtime = runtime;
  }
  const ci = child(node, 'ci');
  if (isMap(ci)) out.ci = normaliseCi(ci, ctx);
  const port = child(child(node, 'metrics'), 'port');
  if (isScalar(port) && typeof port.value === 'number') out.metrics = { port: port.value };
  return out;
}

/** `x-devenv.ci`: the timeout and the test commands `devenv ci` runs when it is given none. */
function normaliseCi(node: ConfigNode, ctx: NormaliseContext): CiSpec {
  const spec: CiSpec = { tests: [] };
  const timeout = durationMs(child(node, 'timeout'), ctx, '`x-devenv.ci.timeout`');
  if (timeout !== undefined) spec.timeoutMs = timeout;
  const tests = child(node, 'tests');
  const seen = new Set<string>();
  for (const [i, item] of (isSeq(tests) ? tests.items : []).entries()) {
    const test = normaliseCiTest(item, ctx, `\`x-devenv.ci.tests[${i}]\``);
    if (!test) continue;
    if (seen.has(test.name)) {
      ctx.diagnostics.error(
        ConfigCode.ciTestDuplicate,
        `two tests in \`x-devenv.ci.tests\` are named \`${test.name}\``,
        item.loc,
        'give each a different `name:` (it names the test in the output and the JUnit report)',
      );
      continue;
    }
    seen.add(test.name);
    spec.tests.push(test);
  }
  return spec;
}

/** A test: a string (run by `sh -c`, like a CI step's `run:`), a list (run as is), or a mapping. */
function normaliseCiTest(item: ConfigNode, ctx: NormaliseContext, where: string): CiTest | undefined {
  const form = isMap(item) ? child(item, 'command') : item;
  let command: string[] | undefined;
  let written = '';
  if (isScalar(form) && typeof form.value === 'string') {
    written = form.value.trim();
    command = written === '' ? undefined : ['sh', '-c', form.value];
  } else if (isSeq(form)) {
    const words = form.items.map((w) => text(w) ?? '');
    written = words.join(' ');
    command = words.length > 0 && words[0] !== '' ? words : undefined;
  }
  if (!command) {
    ctx.diagnostics.error(
      ConfigCode.ciTestEmpty,
      `${where} has an empty command`,
      (form ?? item).loc,
      'write the command to run, e.g. `npm test` or `["pytest", "-q"]`',
    );
    return undefined;
  }
  const test: CiTest = { name: text(child(item, 'name')) ?? written, command, cwd: ctx.projectDir, env: {} };
  if (!isMap(item)) return test;
  const cwdNode = child(item, 'cwd');
  const rawCwd = text(cwdNode);
  if (rawCwd !== undefined && cwdNode) {
    test.cwd = hostPath(rawCwd, ctx.projectDir, ctx.home);
    if (!ctx.fs.isDirectory(test.cwd)) {
      ctx.diagnostics.error(
        ConfigCode.ciTestCwdMissing,
        `\`cwd\` of ${where} is not a directory: ${test.cwd}`,
        cwdNode.loc,
        `create it, or fix the path (relative paths start at ${ctx.projectDir})`,
      );
    }
  }
  test.env = stringMap(child(item, 'env'), ctx);
  const timeout = durationMs(child(item, 'timeout'), ctx, `\`timeout\` of ${where}`);
  if (timeout !== undefined) test.timeoutMs = timeout;
  return test;
}
