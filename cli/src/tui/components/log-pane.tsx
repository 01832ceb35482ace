// The log pane: every service's lines interleaved with a coloured prefix, or one service's
// (enter), filtered by text (/), following the newest or scrolled back. Only the visible
// window is computed and drawn; every line is cut to the pane's width with its colours intact.

import { Box } from 'ink';
import { memo, useContext } from 'react';
import type { LogLine, LogRing } from '../state/log-ring.js';
import { visibleWindow } from '../state/log-window.js';
import { fit, stringWidth, truncate } from '../text.js';
import { ColourContext, type Piece, renderPieces } from './line.js';
import { Rows } from './rows.js';

export interface LogPaneProps {
  logs: LogRing;
  /** Rows for log lines (the title row comes on top). */
  height: number;
  width: number;
  focus?: string | undefined;
  filter: string;
  editingFilter: boolean;
  anchorSeq?: number | undefined;
  timestamps: boolean;
  colours: Record<string, number>;
  prefixWidth: number;
}

const DEVENV_COLOUR = 90;

export function formatLogLine(
  line: LogLine,
  opts: Pick<LogPaneProps, 'timestamps' | 'colours' | 'prefixWidth' | 'width'> & { colour: boolean },
): string {
  const time = opts.timestamps ? `${line.ts.slice(11, 23)} ` : '';
  const label = fit(line.service, opts.prefixWidth);
  const sep = line.stream === 'stderr' ? '┃' : '│';
  const headWidth = stringWidth(time) + opts.prefixWidth + 3;
  const room = Math.max(0, opts.width - headWidth);
  if (!opts.colour) {
    const body = truncate(line.stream === 'system' ? `» ${line.plain}` : line.plain, room);
    return `${time}${label} ${sep} ${body}`;
  }
  const c = line.service === 'devenv' ? DEVENV_COLOUR : (opts.colours[line.service] ?? 37);
  const body =
    line.stream === 'system'
      ? `\x1b[2m» ${truncate(line.plain, Math.max(0, room - 2))}\x1b[22m`
      : `${truncate(line.text, room)}\x1b[0m`;
  return `${time ? `\x1b[2m${time}\x1b[22m` : ''}\x1b[${c}m${label} ${sep}\x1b[39m ${body}`;
}

export const LogPane = memo(function LogPane(props: LogPaneProps) {
  const { logs, height, width, focus, filter, editingFilter, anchorSeq } = props;
  const colour = useContext(ColourContext);
  const window = visibleWindow(logs, { service: focus, filter }, height, anchorSeq);
  const title: Piece[] = [
    { text: '─ ', dim: true },
    { text: 'logs ', bold: true },
    { text: focus ? focus : 'all services', color: focus ? 'cyan' : undefined },
    ...(filter || editingFilter
      ? ([
          { text: ' · filter ', dim: true },
          { text: `"${filter}"`, color: 'yellow' },
        ] satisfies Piece[])
      : []),
    { text: ' · ', dim: true },
    anchorSeq === undefined
      ? { text: 'following', color: 'green' }
      : {
          text: `scrolled${window.atTop ? ' to the top' : ''}${window.newerLines > 0 ? ` · ${window.newerLines} newer (G follows)` : ''}`,
          color: 'yellow',
        },
    { text: ' ' },
  ];
  const used = title.reduce((n, p) => n + stringWidth(p.text), 0);
  if (used < width) title.push({ text: '─'.repeat(width - used), dim: true });
  const lines = [renderPieces(title, width, colour)];
  if (window.lines.length === 0) {
    const empty = filter ? `  no line matches "${filter}"` : '  no log lines yet';
    lines.push(renderPieces([{ text: empty, dim: true }], width, colour));
  } else {
    for (const l of window.lines) lines.push(formatLogLine(l, { ...props, colour }));
  }
  return (
    <Box height={height + 1}>
      <Rows lines={lines} width={width} height={height + 1} />
    </Box>
  );
});
