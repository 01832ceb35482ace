// A hostile-input corpus through the three doors a Compose file comes in by: the CLI, the
// daemon (over its socket) and the language server (a buffer in an editor). Every case must end
// in exit 1 / an error response / a diagnostic that names the file and, where the bytes allow,
// line and column, within 5 s and 300 MB of RSS (the child's peak, from getrusage).

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { daemonPaths, Methods, tryConnect } from '../engine/src/protocol/index.js';
import { cliBin } from './helpers/cli.js';
import { waitUntil } from './helpers/wait.js';

const base = mkdtempSync(join(tmpdir(), 'devenv-hostile-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const SERVICE = 'services:\n  web:\n    image: nginx\n';

interface Case {
  name: string;
  /** The -f path (a file made here, or a device / FIFO / directory). */
  file: string;
  /** The text an editor would hold, for the language server (undefined: the case is about the path). */
  text?: string;
  /** What the error must name. */
  where: RegExp;
}

function make(name: string, files: Record<string, string | Buffer>): string {
  const dir = join(base, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, content] of Object.entries(files)) writeFileSync(join(dir, f), content);
  return join(dir, 'compose.yaml');
}

function corpus(): Case[] {
  const laughs = ['x-a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < 10; i++)
    laughs.push(
      `x-a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  const merges = ['x-m0: &m0 {a: 1, b: 2}'];
  for (let i = 1; i < 20; i++) merges.push(`x-m${i}: &m${i} {k: [*m${i - 1}, *m${i - 1}], <<: *m${i - 1}}`);
  const dotenv = [`A0=${'x'.repeat(1000)}`];
  for (let i = 1; i < 60; i++) dotenv.push(`A${i}=\${A${i - 1}}\${A${i - 1}}`);
  const texts: [string, string | Buffer, RegExp][] = [
    ['alias-bomb', `${laughs.join('\n')}\n${SERVICE}`, /compose\.yaml:6:\d+/],
    ['merge-bomb', `${merges.join('\n')}\n${SERVICE}`, /compose\.yaml:\d+:\d+/],
    ['ten-megabytes', SERVICE + 'x-k: v\n'.repeat(1_500_000), /compose\.yaml is 10\.\d MB/],
    ['deep-flow', `${SERVICE}x-deep: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, /compose\.yaml:4:73/],
    [
      'deep-block',
      `${SERVICE}x-deep:\n${Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')}\n`,
      /compose\.yaml:261:257/,
    ],
    [
      'invalid-utf8',
      Buffer.concat([
        Buffer.from(`${SERVICE}    environment:\n      A: "h`),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"\n'),
      ]),
      /compose\.yaml:5:12/,
    ],
    ['nul', `${SERVICE}    environment:\n      A: "a\0b"\n`, /compose\.yaml:5:12/],
    [
      'deep-interpolation',
      `${SERVICE}    environment:\n      A: "${'${X:-'.repeat(3000)}end${'}'.repeat(3000)}"\n`,
      /compose\.yaml:5:\d+/,
    ],
  ];
  const cases: Case[] = texts.map(([name, content, where]) => {
    const file = make(name, { 'compose.yaml': content });
    return { name, file, text: typeof content === 'string' ? content : undefined, where };
  });
  const withEnv = make('doubling-dotenv', {
    'compose.yaml': `${SERVICE}    environment:\n      B: \${A59}\n`,
    '.env': dotenv.join('\n'),
  });
  cases.push({
    name: 'doubling-dotenv',
    file: withEnv,
    text: `${SERVICE}    environment:\n      B: \${A59}\n`,
    where: /\.env:12:5/,
  });
  const fifo = join(base, 'fifo.yaml');
  spawn('mkfifo', [fifo]);
  cases.push({ name: 'fifo', file: fifo, where: /fifo\.yaml is a named pipe/ });
  cases.push({ name: 'dev-zero', file: '/dev/zero', where: /\/dev\/zero is a device/ });
  mkdirSync(join(base, 'a-directory.yaml'));
  cases.push({ name: 'directory', file: join(base, 'a-directory.yaml'), where: /a-directory\.yaml is a directory/ });
  return cases;
}

const cases = corpus();

/** Runs a command under a python wrapper that reports the peak RSS of its children (getrusage). */
function measured(
  argv: string[],
  opts: { input?: string; env?: Record<string, string | undefined>; stdin?: (w: NodeJS.WritableStream) => void } = {},
): Promise<{ code: number; out: string; ms: number; peakMb: number }> {
  const wrapper =
    'import resource,subprocess,sys\nr=subprocess.run(sys.argv[1:])\nsys.stderr.write("\\nPEAK_KB=%d\\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\nsys.exit(r.returncode)';
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn('python3', ['-c', wrapper, ...argv], {
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    opts.stdin?.(child.stdin);
    if (!opts.stdin) child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const kb = Number(/PEAK_KB=(\d+)/.exec(out)?.[1] ?? 'NaN');
      resolve({ code: code ?? -1, out, ms: Date.now() - started, peakMb: kb / 1024 });
    });
  });
}

describe('hostile Compose input through the CLI', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s: exit 1 with a located error, bounded', async (_n, c) => {
    const r = await measured([process.execPath, cliBin, 'config', '-f', c.file]);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(c.where);
    expect(r.out).not.toMatch(/hit a bug/);
    expect(r.ms).toBeLessThan(5000);
    expect(r.peakMb).toBeLessThan(300);
  });
});

describe('hostile Compose input through the daemon', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s: an error response with the location, bounded', async (_n, c) => {
    const dir = mkdtempSync(join(base, 'daemon-'));
    writeFileSync(join(dir, 'compose.yaml'), SERVICE);
    const identity = { name: 'hostile', projectDir: dir, files: [join(dir, 'compose.yaml')] };
    const env = { DEVENV_SOCKET_DIR: join(dir, 'sock'), DEVENV_STATE_DIR: join(dir, 'state') };
    const paths = daemonPaths(identity, env);
    const daemonArgs = ['daemon', '--project-dir', dir, '--project-name', 'hostile', '--file', identity.files[0]!];
    const run = measured([process.execPath, cliBin, ...daemonArgs, '--runtime', 'process'], { env });
    let client: Awaited<ReturnType<typeof tryConnect>>;
    const listening = async () => {
      client = await tryConnect(paths, { name: 't', version: '0' });
      return client !== undefined;
    };
    await waitUntil('the daemon to listen', listening, { timeoutMs: 15_000 });
    try {
      const started = Date.now();
      const err = await client!.connection
        .sendRequest(Methods.up, {
          config: {
            files: [c.file],
            projectDir: c.name === 'doubling-dotenv' ? dirname(c.file) : dir,
            projectName: 'hostile',
            env: {},
          },
        })
        .then(
          () => undefined,
          (e: {
            code: number;
            message: string;
            data?: { problems?: { message: string; location?: { file: string; line: number; col: number } }[] };
          }) => e,
        );
      expect(Date.now() - started).toBeLessThan(5000);
      expect(err?.code).toBe(-32001);
      const shown = (err?.data?.problems ?? [])
        .map((p) => (p.location ? `${p.location.file}:${p.location.line}:${p.location.col}: ${p.message}` : p.message))
        .join('\n');
      expect(shown).toMatch(c.where);
    } finally {
      // Ended whatever the assertions said: no daemon outlives its case.
      await client!.connection.sendRequest(Methods.shutdown).catch(() => undefined);
      client!.close();
    }
    const done = await run;
    expect(done.peakMb).toBeLessThan(300);
  });
});

describe('hostile Compose input through the language server', () => {
  const lspCases = cases.filter((c) => c.text !== undefined);
  it.each(lspCases.map((c) => [c.name, c] as const))('%s: a located diagnostic, bounded', async (_n, c) => {
    let diagnostics: { range: { start: { line: number; character: number } }; message: string }[] | undefined;
    const uri = `file://${c.file}`;
    const send = (w: NodeJS.WritableStream, msg: object) => {
      const body = JSON.stringify({ jsonrpc: '2.0', ...msg });
      w.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    };
    const r = await measured([process.execPath, cliBin, 'lsp', '--stdio'], {
      stdin: (w) => {
        send(w, { id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });
        send(w, { method: 'initialized', params: {} });
        send(w, {
          method: 'textDocument/didOpen',
          params: { textDocument: { uri, languageId: 'yaml', version: 1, text: c.text } },
        });
        setTimeout(() => {
          send(w, { id: 2, method: 'shutdown' });
          send(w, { method: 'exit' });
          w.end();
        }, 4000);
      },
    });
    const published = [
      ...r.out.matchAll(/"method":"textDocument\/publishDiagnostics","params":(\{.*?"diagnostics":\[.*?\]\})/g),
    ]
      .map((m) => JSON.parse(m[1]!) as { uri: string; diagnostics: NonNullable<typeof diagnostics> })
      .filter((p) => p.uri === uri && p.diagnostics.length > 0);
    diagnostics = published.at(-1)?.diagnostics;
    expect(diagnostics?.length, r.out.slice(0, 2000)).toBeGreaterThan(0);
    const [, line, col] = /:(\d+):(\d+)/.exec(c.where.source.replace(/\\/g, '')) ?? [];
    if (line && col && c.name !== 'doubling-dotenv') {
      expect(diagnostics![0]!.range.start.line + 1).toBe(Number(line));
    }
    expect(r.ms).toBeLessThan(9000); // 4 s of it is the wait before shutdown
    expect(r.peakMb).toBeLessThan(300);
  });
});
