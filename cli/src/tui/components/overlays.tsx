// What replaces the log pane for a moment: the help (?), a service's debugger attach details
// (d) and the reset confirmation (R), which names exactly what a reset destroys.

import type { ServiceStatus } from '@devenv/engine';
import { Box } from 'ink';
import { withCommands } from '../../output/hints.js';
import { attachDetails } from '../debug-attach.js';
import { KEY_HELP } from '../keys.js';
import type { ProjectInfo } from '../state/reducer.js';
import { fit, stringWidth, truncate } from '../text.js';
import { Lines, type Piece } from './line.js';

/** A titled block as tall as the log pane it replaces; rows beyond its height are cut. */
function Frame({ title, height, width, rows }: { title: string; height: number; width: number; rows: Piece[][] }) {
  const head = `─ ${title} `;
  const titleRow: Piece[] = [
    { text: head, bold: true, color: 'cyan' },
    { text: '─'.repeat(Math.max(0, width - stringWidth(head))), dim: true },
  ];
  return (
    <Box height={height + 1}>
      <Lines rows={[titleRow, ...rows.slice(0, height)]} width={width} height={height + 1} />
    </Box>
  );
}

export function HelpOverlay({ height, width }: { height: number; width: number }) {
  const keyWidth = Math.max(...KEY_HELP.map((k) => stringWidth(k.keys))) + 2;
  const rows: Piece[][] = KEY_HELP.map((k) => [
    { text: `  ${fit(k.keys, keyWidth)}`, bold: true, color: 'cyan' },
    { text: withCommands(k.what) },
  ]);
  rows.push([]);
  rows.push([{ text: '  Logs come from the daemon: closing this UI never stops anything (unless Q).', dim: true }]);
  rows.push([{ text: '  esc, ? or q closes this help', dim: true }]);
  return <Frame title="keys" height={height} width={width} rows={rows} />;
}

export function DebugOverlay({
  status,
  projectDir,
  height,
  width,
}: {
  status: ServiceStatus | undefined;
  projectDir: string;
  height: number;
  width: number;
}) {
  const name = status?.name ?? '?';
  const rows: Piece[][] = [];
  const absent = status?.debugAbsent;
  if (!status?.debug && absent) {
    rows.push([
      { text: `  ${name}: debugger ${absent.kind === 'unavailable' ? 'unavailable' : 'on request'}`, bold: true },
    ]);
    rows.push([{ text: `  ${absent.reason}` }]);
    rows.push([]);
    if (absent.kind === 'on-request') {
      rows.push([{ text: '  D here (or this command) runs it under its debugger now, waiting for you to attach:' }]);
    } else {
      rows.push([{ text: '  To debug it:' }]);
    }
    rows.push([{ text: `    ${absent.fix}`, color: 'green' }]);
  } else if (!status?.debug) {
    rows.push([{ text: `  ${name} has no debugger endpoint.` }]);
    rows.push([
      {
        text: '  A service gets one from `x-devenv.debug` (python: debugpy, node: --inspect), or when devenv infers it from its command.',
        dim: true,
      },
    ]);
  } else {
    const details = attachDetails(name, status.debug, projectDir || undefined);
    for (const l of details.lines) rows.push([{ text: `  ${l}` }]);
    rows.push([]);
    rows.push([{ text: '  VS Code: add to .vscode/launch.json "configurations":', bold: true }]);
    for (const l of details.launchJson.split('\n')) rows.push([{ text: `    ${l}`, color: 'green' }]);
  }
  rows.push([]);
  rows.push([{ text: '  esc or d closes this', dim: true }]);
  return <Frame title={`debug ${name}`} height={height} width={width} rows={rows} />;
}

/** The rows of the reset confirmation: what is recreated and what is deleted, per runtime. */
export function resetRows(project: ProjectInfo, volumes: string[] | undefined, width: number): Piece[][] {
  const name = project.name;
  const warn = (text: string): Piece[] => [{ text: '   • ' }, { text, color: 'red', bold: true }];
  const note = (text: string): Piece[] => [{ text: '   • ' }, { text }];
  if (project.runtime === 'kubernetes') {
    const cluster = project.cluster?.name ?? 'the cluster';
    return [
      [{ text: `  Reset ${name}? Choose how far:`, bold: true }],
      [],
      [{ text: '   h  ', bold: true, color: 'cyan' }, { text: `hard: delete and recreate ${cluster}` }],
      warn(`everything in ${cluster} is lost (all namespaces, volumes, Argo CD); the image cache is kept`),
      [
        { text: '   s  ', bold: true, color: 'cyan' },
        { text: `soft: recreate the ${name} namespace and its Applications` },
      ],
      warn(`the namespace's workloads and persistent volume claims are deleted; the cluster stays`),
      [],
      [{ text: '   n / esc  ', bold: true, color: 'cyan' }, { text: 'cancel' }],
    ];
  }
  const what =
    project.runtime === 'process'
      ? 'every service process is stopped and started again'
      : 'every container is removed and created again (new container ids)';
  const volumeLine =
    volumes === undefined
      ? warn(`all named volumes of project ${name} are DELETED, with their data`)
      : volumes.length === 0
        ? note('no named volumes are declared: no data is deleted')
        : warn(`named volumes DELETED, with their data: ${truncate(volumes.join(', '), Math.max(10, width - 48))}`);
  return [
    [{ text: `  Reset ${name}? This takes the environment down and brings it up from scratch:`, bold: true }],
    [],
    note(what),
    volumeLine,
    note('images and the build cache are kept'),
    [],
    [
      { text: '   y  ', bold: true, color: 'cyan' },
      { text: 'reset' },
      { text: '      n / esc  ', bold: true, color: 'cyan' },
      { text: 'cancel' },
    ],
  ];
}

export function ResetDialog({
  project,
  volumes,
  height,
  width,
}: {
  project: ProjectInfo;
  volumes?: string[] | undefined;
  height: number;
  width: number;
}) {
  return <Frame title="reset" height={height} width={width} rows={resetRows(project, volumes, width)} />;
}
