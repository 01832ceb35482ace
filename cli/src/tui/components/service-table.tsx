// The service table: one row per service with its state (icon and colour), health, published
// ports (links to the service's URL where the terminal supports them), debug endpoint, restart
// count, last sync and uptime. The selected row is highlighted; long lists scroll with it.

import type { ServiceStatus } from '@devenv/engine';
import { Box } from 'ink';
import { memo, useContext } from 'react';
import { hyperlink } from '../hyperlinks.js';
import type { ColourName } from '../paint.js';
import { fit, formatDebug, formatPort, formatSync, stateLabel, stateStyle, stringWidth, uptimeOf } from '../text.js';
import { ColourContext, type Piece, renderPieces } from './line.js';
import { Rows } from './rows.js';

interface Column {
  title: string;
  min: number;
  cell(s: ServiceStatus, now: number): string;
}

const columns: Column[] = [
  { title: 'SERVICE', min: 7, cell: (s) => s.name },
  { title: 'STATE', min: 8, cell: (s) => `${stateStyle[s.state].icon} ${stateLabel(s)}` },
  { title: 'HEALTH', min: 6, cell: (s) => (s.health === 'none' ? '-' : s.health) },
  { title: 'PORTS', min: 9, cell: (s) => s.ports.map(formatPort).join(', ') || '-' },
  { title: 'DEBUG', min: 5, cell: (s) => formatDebug(s.debug, s.debugAbsent) },
  { title: 'RESTARTS', min: 3, cell: (s) => String(s.restartCount) },
  { title: 'SYNC', min: 4, cell: (s) => formatSync(s) },
  { title: 'UPTIME', min: 6, cell: (s, now) => uptimeOf(s, now) },
];
const GAP = 2;
const MARKER = 2;
/** Columns given up first when the terminal is narrow: sync, debug (`d` shows it whole), ports, health. */
const shrinkOrder = [6, 4, 3, 2];

export function columnWidths(rows: string[][], width: number): number[] {
  const widths = columns.map((c, i) => Math.max(stringWidth(c.title), ...rows.map((r) => stringWidth(r[i]!))));
  let excess = MARKER + widths.reduce((a, b) => a + b, 0) + GAP * (columns.length - 1) - width;
  for (const i of shrinkOrder) {
    if (excess <= 0) break;
    const give = Math.min(excess, widths[i]! - columns[i]!.min);
    if (give > 0) {
      widths[i]! -= give;
      excess -= give;
    }
  }
  return widths;
}

const healthColour: Record<string, ColourName | undefined> = { healthy: 'green', unhealthy: 'red', starting: 'yellow' };
const syncColour: Record<string, ColourName | undefined> = { reconnecting: 'yellow', failed: 'red' };

/** The ports cell, with the port that serves the service's URL as a link to it. */
function portPieces(s: ServiceStatus, width: number, hyperlinks: boolean): Piece[] {
  const text = fit(s.ports.map(formatPort).join(', ') || '-', width);
  if (!hyperlinks || !s.url) return [{ text }];
  let urlPort: number | undefined;
  try {
    urlPort = Number(new URL(s.url).port) || undefined;
  } catch {
    return [{ text }];
  }
  const linked = s.ports.find((p) => p.hostPort === urlPort);
  const label = linked ? formatPort(linked) : undefined;
  const at = label ? text.indexOf(label) : -1;
  if (!label || at < 0) return [{ text }];
  return [
    { text: text.slice(0, at) },
    { text: label, raw: hyperlink(label, s.url), color: 'blue' },
    { text: text.slice(at + label.length) },
  ];
}

export interface ServiceTableProps {
  services: ServiceStatus[];
  selected?: string | undefined;
  focus?: string | undefined;
  rows: number;
  offset: number;
  width: number;
  now: number;
  hyperlinks: boolean;
}

export const ServiceTable = memo(function ServiceTable(props: ServiceTableProps) {
  const { services, selected, focus, rows, offset, width, now, hyperlinks } = props;
  const cells = services.map((s) => columns.map((c) => c.cell(s, now)));
  const widths = columnWidths(cells, width);
  const gap = ' '.repeat(GAP);
  const header: Piece[] = [{ text: ' '.repeat(MARKER) }];
  columns.forEach((c, i) => {
    header.push({ text: fit(c.title, widths[i]!) + (i < columns.length - 1 ? gap : ''), bold: true, dim: true });
  });
  const colour = useContext(ColourContext);
  const lines = [renderPieces(header, width, colour)];
  if (services.length === 0)
    lines.push(renderPieces([{ text: '  waiting for the daemon to report services…', dim: true }], width, colour));
  services.slice(offset, offset + rows).forEach((s, k) => {
    const row = cells[offset + k]!;
    const isSelected = s.name === selected;
    const style = stateStyle[s.state];
    const cell = (i: number) => fit(row[i]!, widths[i]!);
    const pieces: Piece[] = [
      { text: isSelected ? '▶ ' : focus === s.name ? '◆ ' : '  ', color: 'cyan' },
      { text: cell(0), bold: true },
      { text: gap },
      { text: cell(1), color: style.colour },
      { text: gap },
      { text: cell(2), color: healthColour[s.health] },
      { text: gap },
      ...portPieces(s, widths[3]!, hyperlinks),
      { text: gap },
      {
        text: cell(4),
        color: s.debug ? 'magenta' : s.debugAbsent?.kind === 'unavailable' ? 'yellow' : undefined,
        dim: s.debugAbsent?.kind === 'on-request',
      },
      { text: gap },
      { text: cell(5), color: s.restartCount > 0 ? 'yellow' : undefined },
      { text: gap },
      { text: cell(6), color: syncColour[s.syncLink?.state ?? 'live'] },
      { text: gap },
      { text: cell(7) },
    ];
    // The selection is a background bar: the states keep their colours on it.
    lines.push(renderPieces(pieces, width, colour, isSelected ? 'gray' : undefined));
  });
  return (
    <Box height={rows + 1}>
      <Rows lines={lines} width={width} height={rows + 1} />
    </Box>
  );
});
