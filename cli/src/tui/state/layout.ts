// How the terminal's rows are shared: header, service table, progress bars, log pane, footer.
// One row is left free at the bottom: ink redraws a frame as tall as the terminal by clearing
// the whole screen, which flickers; one row shorter it rewrites only the lines that changed.

import type { TuiState } from './reducer.js';

export interface Layout {
  width: number;
  headerRows: number;
  /** Service rows shown (the table's own header row comes on top). */
  tableRows: number;
  /** Index of the first service shown, so the selection is always visible. */
  tableOffset: number;
  progressRows: number;
  /** Log lines (the pane's title row comes on top). */
  logRows: number;
  footerRows: number;
}

export const MAX_PROGRESS_ROWS = 3;

export function layout(state: Pick<TuiState, 'size' | 'services' | 'progress' | 'project' | 'selected'>): Layout {
  const usable = Math.max(1, state.size.rows - 1);
  const headerRows = state.project.cluster ? 2 : 1;
  const footerRows = 2;
  const progressRows = Math.min(state.progress.length, MAX_PROGRESS_ROWS);
  // Fixed rows: header, table header, log title, footer.
  const free = Math.max(0, usable - headerRows - 1 - 1 - footerRows - progressRows);
  const n = Math.max(1, state.services.length);
  const tableRows = Math.min(n, Math.max(1, Math.floor(free / 2)), free);
  const selectedIndex = Math.max(
    0,
    state.services.findIndex((s) => s.name === state.selected),
  );
  const tableOffset =
    state.services.length <= tableRows
      ? 0
      : Math.max(0, Math.min(selectedIndex - Math.floor(tableRows / 2), state.services.length - tableRows));
  return {
    width: Math.max(20, state.size.columns),
    headerRows,
    tableRows,
    tableOffset,
    progressRows,
    logRows: Math.max(0, free - tableRows),
    footerRows,
  };
}
