// The bottom two rows: a status row (the filter being typed, a notice, "stopping…" with its
// progress) and the keys, as many as fit the width, `? help` always last.

import type { ServiceStatus } from '@devenv/engine';
import { KEY_HELP } from '../keys.js';
import type { Busy, Notice } from '../state/reducer.js';
import { bar, stringWidth } from '../text.js';
import { Lines, type Piece } from './line.js';

const footerKeys: { key: string; label: string }[] = KEY_HELP.filter((k) => k.footer).map((k) => ({
  key: k.keys.split(/\s+/)[0]!.replace('↑/↓', '↑↓'),
  label: k.footer!,
}));

/** What a narrow footer keeps longest: how to get help and how to leave, then the everyday keys. */
const keep = [
  'help',
  'quit',
  'down',
  'select',
  'logs',
  'restart',
  'filter',
  'rebuild',
  'open',
  'debug',
  'reset',
  'timeline',
  'time',
  'resync',
];

export function keyPieces(width: number): Piece[] {
  const render = (k: { key: string; label: string }): Piece[] => [
    { text: k.key, bold: true, color: 'cyan' },
    { text: ` ${k.label}  `, dim: true },
  ];
  const widthOf = (k: { key: string; label: string }) => stringWidth(k.key) + stringWidth(k.label) + 3;
  const shown = new Set(footerKeys.map((k) => k.label));
  let used = 1 + footerKeys.reduce((n, k) => n + widthOf(k), 0);
  for (const label of [...keep].reverse()) {
    if (used <= width) break;
    const k = footerKeys.find((x) => x.label === label);
    if (!k) continue;
    shown.delete(label);
    used -= widthOf(k);
  }
  return [{ text: ' ' }, ...footerKeys.filter((k) => shown.has(k.label)).flatMap(render)];
}

export function statusPieces(opts: {
  editingFilter: boolean;
  filter: string;
  busy?: Busy | undefined;
  notice?: Notice | undefined;
  services: ServiceStatus[];
}): Piece[] {
  if (opts.busy?.kind === 'stopping') {
    const total = opts.services.length;
    const done = opts.services.filter((s) => s.state === 'stopped' || !s.instanceId).length;
    return [
      { text: ' stopping… ', bold: true, color: 'yellow' },
      { text: bar(done, total, 20), color: 'yellow' },
      { text: ` ${done}/${total} services stopped` },
      { text: '   ctrl-c again: leave the rest running', dim: true },
    ];
  }
  if (opts.editingFilter) {
    return [
      { text: ' / ', bold: true, color: 'yellow' },
      { text: opts.filter },
      { text: '▏', color: 'yellow' },
      { text: '   enter keeps it · esc clears it', dim: true },
    ];
  }
  if (opts.busy?.kind === 'resetting') {
    return [
      { text: ' resetting… ', bold: true, color: 'yellow' },
      { text: 'containers are recreated; the table shows each service as it comes back', dim: true },
    ];
  }
  if (opts.notice) {
    const colour = opts.notice.level === 'error' ? 'red' : opts.notice.level === 'success' ? 'green' : undefined;
    return [{ text: ` ${opts.notice.text}`, color: colour }];
  }
  if (opts.filter) {
    return [
      { text: ' filter ', dim: true },
      { text: `"${opts.filter}"`, color: 'yellow' },
      { text: ' · esc clears it', dim: true },
    ];
  }
  return [];
}

export function Footer(props: {
  width: number;
  editingFilter: boolean;
  filter: string;
  busy?: Busy | undefined;
  notice?: Notice | undefined;
  services: ServiceStatus[];
}) {
  return <Lines rows={[statusPieces(props), keyPieces(props.width)]} width={props.width} height={2} />;
}
