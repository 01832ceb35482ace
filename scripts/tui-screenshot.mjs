#!/usr/bin/env node
// Regenerates docs/images/tui.png, the screenshot in docs/tui.md: runs `devenv up` on the TUI
// fixture stack (test/fixtures/tui/stack) in a real terminal (tmux, 160×45), waits until every
// service is healthy, captures the screen with its colours (`capture-pane -e`), turns the ANSI
// into HTML and photographs that with Chromium (playwright-core + Debian's /usr/bin/chromium).
// Needs Docker, tmux, the debian:bookworm-slim image and `npm run build` first.
//   node scripts/tui-screenshot.mjs [--out docs/images/tui.png] [--keep-html]

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..');
const cli = path.join(repoRoot, 'cli', 'bin', 'devenv.js');
const fixture = path.join(repoRoot, 'test', 'fixtures', 'tui', 'stack', 'compose.yaml');
const project = 'tuidev-screenshot';
const socket = 'tuidev-screenshot';
const size = { columns: 160, rows: 45 };
const env = { ...process.env, TUI_WEB_PORT: process.env.TUI_WEB_PORT ?? '18470' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A dark theme: the 16 ANSI colours, then the xterm 256-colour cube and greys.
const base16 = [
  '#282c34',
  '#e06c75',
  '#98c379',
  '#e5c07b',
  '#61afef',
  '#c678dd',
  '#56b6c2',
  '#abb2bf',
  '#4f5563',
  '#ef7a84',
  '#a8d38a',
  '#f0cd8c',
  '#74bbf7',
  '#d48ae8',
  '#66c6d2',
  '#e6e8ec',
];
const DEFAULT_FG = '#c8ccd4';
const DEFAULT_BG = '#1e2127';

function colour256(n) {
  if (n < 16) return base16[n];
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const i = n - 16;
  const c = (x) => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${c(Math.floor(i / 36))},${c(Math.floor(i / 6) % 6)},${c(i % 6)})`;
}

const escapeHtml = (s) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** ANSI text (SGR colours only, as `tmux capture-pane -e` gives it) to HTML spans. */
export function ansiToHtml(text) {
  let style = {};
  let html = '';
  let run = '';
  const flush = () => {
    if (!run) return;
    let fg = style.fg ?? DEFAULT_FG;
    let bg = style.bg;
    if (style.inverse) [fg, bg] = [bg ?? DEFAULT_BG, fg];
    const css = [
      `color:${fg}`,
      bg ? `background:${bg}` : '',
      style.bold ? 'font-weight:bold' : '',
      style.dim ? 'opacity:0.6' : '',
      style.italic ? 'font-style:italic' : '',
      style.underline ? 'text-decoration:underline' : '',
    ].filter(Boolean);
    html += `<span style="${css.join(';')}">${escapeHtml(run)}</span>`;
    run = '';
  };
  const apply = (params) => {
    const codes = params === '' ? [0] : params.split(/[;:]/).map(Number);
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i];
      if (c === 0) style = {};
      else if (c === 1) style.bold = true;
      else if (c === 2) style.dim = true;
      else if (c === 3) style.italic = true;
      else if (c === 4) style.underline = true;
      else if (c === 7) style.inverse = true;
      else if (c === 22) style.bold = style.dim = false;
      else if (c === 23) style.italic = false;
      else if (c === 24) style.underline = false;
      else if (c === 27) style.inverse = false;
      else if (c >= 30 && c <= 37) style.fg = base16[c - 30];
      else if (c === 39) style.fg = undefined;
      else if (c >= 40 && c <= 47) style.bg = base16[c - 40];
      else if (c === 49) style.bg = undefined;
      else if (c >= 90 && c <= 97) style.fg = base16[c - 90 + 8];
      else if (c >= 100 && c <= 107) style.bg = base16[c - 100 + 8];
      else if ((c === 38 || c === 48) && codes[i + 1] === 5) {
        style[c === 38 ? 'fg' : 'bg'] = colour256(codes[i + 2]);
        i += 2;
      } else if ((c === 38 || c === 48) && codes[i + 1] === 2) {
        style[c === 38 ? 'fg' : 'bg'] = `rgb(${codes[i + 2]},${codes[i + 3]},${codes[i + 4]})`;
        i += 4;
      }
    }
  };
  const re = /\x1b\[([0-9;:]*)m|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b\[[0-9;?]*[A-Za-z]/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    run += text.slice(last, m.index);
    last = m.index + m[0].length;
    if (m[1] !== undefined && m[0].endsWith('m')) {
      flush();
      apply(m[1]);
    }
  }
  run += text.slice(last);
  flush();
  return html;
}

export function page(bodyHtml, title) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>
  body { margin: 0; background: #0b0c0f; }
  #frame { display: inline-block; margin: 24px; border-radius: 10px; overflow: hidden;
           box-shadow: 0 10px 40px rgba(0,0,0,0.6); background: ${DEFAULT_BG}; }
  #bar { height: 30px; background: #2a2d34; display: flex; align-items: center; padding-left: 12px; gap: 8px;
         font: 13px sans-serif; color: #9aa0a6; }
  .dot { width: 12px; height: 12px; border-radius: 50%; display: inline-block; }
  #term { margin: 0; padding: 10px 14px 14px; color: ${DEFAULT_FG};
          font: 13px/1.25 'DejaVu Sans Mono', 'Liberation Mono', monospace; white-space: pre; }
</style></head><body><div id="frame"><div id="bar"><span class="dot" style="background:#ff5f57"></span><span class="dot" style="background:#febc2e"></span><span class="dot" style="background:#28c840"></span><span style="margin-left:12px">${escapeHtml(title)}</span></div><pre id="term">${bodyHtml}</pre></div></body></html>`;
}

const tmux = (...args) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const devenv = (...args) =>
  spawnSync(process.execPath, [cli, '-f', fixture, '-p', project, ...args], { env, stdio: 'ignore' });

async function waitForScreen(test, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const s = tmux('capture-pane', '-p', '-t', project);
    if (test(s)) return s;
    await sleep(250);
  }
  throw new Error(`timed out; the screen:\n${tmux('capture-pane', '-p', '-t', project)}`);
}

export async function takeScreenshot({
  out = path.join(repoRoot, 'docs', 'images', 'tui.png'),
  keepHtml = false,
} = {}) {
  const { chromium } = await import('playwright-core');
  devenv('down', '--volumes');
  const command = `env -u CI -u CONTINUOUS_INTEGRATION TUI_WEB_PORT=${env.TUI_WEB_PORT} ${process.execPath} ${cli} -f ${fixture} -p ${project} up; sleep 60`;
  tmux('new-session', '-d', '-s', project, '-x', String(size.columns), '-y', String(size.rows), 'sh', '-c', command);
  try {
    await waitForScreen((s) => /3\/3 healthy {2}· {2}running/.test(s), 180_000);
    // Let some log lines arrive, then select the web service so the selection bar shows.
    await sleep(6000);
    tmux('send-keys', '-t', project, 'j');
    await sleep(1000);
    const ansi = tmux('capture-pane', '-p', '-e', '-t', project);
    const html = page(ansiToHtml(ansi.replace(/\n+$/, '')), `devenv up — ${project}`);
    mkdirSync(path.dirname(out), { recursive: true });
    if (keepHtml) writeFileSync(out.replace(/\.png$/, '.html'), html);
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    try {
      const pageHandle = await browser.newPage({ deviceScaleFactor: 1, viewport: { width: 1600, height: 1000 } });
      await pageHandle.setContent(html);
      await pageHandle.locator('#frame').screenshot({ path: out });
    } finally {
      await browser.close();
    }
    return out;
  } finally {
    try {
      tmux('send-keys', '-t', project, 'Q');
      await sleep(5000);
      tmux('kill-server');
    } catch {
      // The session ended by itself.
    }
    devenv('down', '--volumes');
    removeSocket(socket);
  }
}

/** A killed tmux server leaves its socket file behind. */
function removeSocket(name) {
  rmSync(path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, name), { force: true });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  const out = await takeScreenshot({
    ...(i > 0 ? { out: path.resolve(process.argv[i + 1]) } : {}),
    keepHtml: process.argv.includes('--keep-html'),
  });
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}
