// Known ways a service started under a debugger fails, recognised in its last log lines: a
// pattern maps to a code, what happened and what to do (Skaffold's problem catalog, in small).

import type { DebugKind, RuntimeKind } from '../model/spec.js';

export interface DebugProblem {
  code: string;
  message: string;
  hint: string;
}

interface Rule {
  code: string;
  kind?: DebugKind;
  pattern: RegExp;
  /** `match`: the pattern's match in the log line that showed the problem. */
  message: (service: string, runtime: RuntimeKind, match: RegExpExecArray) => string;
  hint: string | ((runtime: RuntimeKind, match: RegExpExecArray) => string);
}

const RULES: Rule[] = [
  {
    code: 'debug.debugpy-missing',
    kind: 'python',
    // Python prints the interpreter as it was run: `/usr/bin/python3: No module named debugpy`.
    pattern: /(?:^|\s)(\S*python[\d.]*): No module named '?debugpy'?|No module named '?debugpy'?/,
    message: (s, runtime, m) =>
      runtime === 'process'
        ? `debugpy is not installed for ${m[1] ?? 'the interpreter'} that runs ${s}, so it cannot start under the debugger`
        : `debugpy is not installed in the image of ${s}, so it cannot start under the debugger`,
    hint: (runtime, m) =>
      runtime === 'process'
        ? `install it for that interpreter: \`${m[1] ?? 'python3'} -m pip install debugpy\` (Debian's /usr/bin/python3: \`apt-get install python3-debugpy\`); devenv never downloads it at run time. Or set \`x-devenv.debug: false\` for this service`
        : 'add it to the image: `apt-get install python3-debugpy` (Debian, Ubuntu) or `pip install debugpy` (add it to your dev requirements); devenv never downloads it at run time. Or set `x-devenv.debug: false` for this service',
  },
  {
    code: 'debug.python-missing',
    kind: 'python',
    pattern: /exec: "python3": executable file not found|python3: (command )?not found/,
    message: (s) =>
      `${s} has no \`python3\` on PATH; devenv runs console scripts (uvicorn, celery, gunicorn…) as \`python3 -m debugpy … -m <module>\``,
    hint: 'write the command with your interpreter (`/venv/bin/python -m uvicorn …`), or set `x-devenv.debug: false`',
  },
  {
    code: 'debug.port-busy',
    kind: 'python',
    pattern: /Can't listen for client connections/,
    message: (s) => `the debug port of ${s} is already taken inside the service`,
    hint: 'another debugpy in the same container or host holds it: set `x-devenv.debug.port` to another port',
  },
  {
    code: 'debug.inspector-port-busy',
    kind: 'node',
    pattern: /Starting inspector on .* failed: address already in use/,
    message: (s) => `another Node process in ${s} already holds the inspector port`,
    hint: 'NODE_OPTIONS=--inspect makes every Node process (npm, healthchecks, build tools) try to listen: start the program as `node …` (or through npm, which devenv handles with npm_config_node_options), or set `x-devenv.debug.port`',
  },
  {
    code: 'debug.inspector-unsupported',
    kind: 'node',
    pattern: /bad option: --inspect|is not allowed in NODE_OPTIONS/,
    message: (s) => `the Node of ${s} does not accept --inspect (built without the inspector?)`,
    hint: 'use a Node build with the inspector (any official or distribution build), or set `x-devenv.debug: false`',
  },
];

/** The first known debugger problem in the lines, or undefined. */
export function diagnoseDebugFailure(
  service: string,
  kind: DebugKind,
  lines: readonly string[],
  runtime: RuntimeKind = 'docker',
): DebugProblem | undefined {
  for (const rule of RULES) {
    if (rule.kind && rule.kind !== kind) continue;
    for (const l of lines) {
      const m = rule.pattern.exec(l);
      if (!m) continue;
      const hint = typeof rule.hint === 'string' ? rule.hint : rule.hint(runtime, m);
      return { code: rule.code, message: rule.message(service, runtime, m), hint };
    }
  }
  return undefined;
}
