// Compose durations use Go's syntax (`1m30s`, `500ms`, `1.5h`); a bare number is not one.
// Parsed to milliseconds, with a suggestion for the usual near-misses (`5 seconds`, `30`).

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Milliseconds, or undefined when `text` is not a Go duration. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  let i = 0;
  while (i < s.length) {
    PART.lastIndex = i;
    const m = PART.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0);
    i = PART.lastIndex;
  }
  return Math.round(total);
}

const WORDS: [RegExp, string][] = [
  [/^(milliseconds?|millis?|msecs?)$/, 'ms'],
  [/^(seconds?|secs?|sec\.?)$/, 's'],
  [/^(minutes?|mins?)$/, 'm'],
  [/^(hours?|hrs?)$/, 'h'],
];

/** A concrete rewrite for a value that is not a duration, e.g. `5 seconds` → `5s`. */
export function durationHint(text: string): string {
  const s = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(s)) return `add a unit: \`${s}s\` (durations look like \`30s\`, \`1m30s\`, \`500ms\`)`;
  const m = /^(\d+(?:\.\d+)?)\s*([a-zµμ.]+)$/.exec(s);
  if (m) {
    const unit = WORDS.find(([re]) => re.test(m[2] as string))?.[1];
    if (unit) return `write \`${m[1]}${unit}\` (durations look like \`30s\`, \`1m30s\`, \`500ms\`)`;
  }
  return 'use a duration like `30s`, `1m30s` or `500ms` (units: ms, s, m, h)';
}
