// Values with units, read the way Docker and Compose read them: byte sizes (`256m`, `1.5g`,
// `512MiB`; a bare number is bytes), CPU counts (`0.5`), signals (`SIGTERM`, `TERM`, `15`),
// octal file modes (`0440`) and ulimits. Each parser returns undefined for a value it cannot
// read; the caller reports it at its position with the matching hint.

const SIZE = /^(\d+(?:\.\d+)?)\s*([kmgtp])?(i?b)?$/i;
const FACTOR: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** Bytes (binary units, as Docker's RAMInBytes), or undefined. */
export function parseByteSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = SIZE.exec(value.trim());
  if (!m) return undefined;
  const unit = m[2]?.toLowerCase();
  const bytes = Number(m[1]) * (unit ? (FACTOR[unit] as number) : 1);
  return Number.isFinite(bytes) ? Math.round(bytes) : undefined;
}

export function sizeHint(raw: unknown): string {
  const s = String(raw).trim();
  const number = /^(\d+(?:\.\d+)?)\s*(\w+)$/.exec(s);
  if (number && /^(mega|giga|kilo)?bytes?$/i.test(number[2] as string)) {
    const unit = (number[2] as string).toLowerCase().startsWith('g')
      ? 'g'
      : (number[2] as string).toLowerCase().startsWith('k')
        ? 'k'
        : 'm';
    return `write \`${number[1]}${unit}\` (sizes look like \`256m\`, \`1g\`, \`512k\`; a bare number is bytes)`;
  }
  return 'write a size like `256m`, `1g` or `512k` (binary units: k, m, g, t; a bare number is bytes)';
}

/** A CPU count (`0.5`, `2`), positive; undefined when it is not one. */
export function parseCpus(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** A whole number (from a number or a numeric string), or undefined. */
export function parseInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/** Go's strconv.ParseBool, which Compose uses for booleans written as strings. */
export function parseBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value.trim())) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value.trim())) return false;
  return undefined;
}

const SIGNALS = [
  'HUP',
  'INT',
  'QUIT',
  'ILL',
  'TRAP',
  'ABRT',
  'IOT',
  'BUS',
  'FPE',
  'KILL',
  'USR1',
  'SEGV',
  'USR2',
  'PIPE',
  'ALRM',
  'TERM',
  'STKFLT',
  'CHLD',
  'CONT',
  'STOP',
  'TSTP',
  'TTIN',
  'TTOU',
  'URG',
  'XCPU',
  'XFSZ',
  'VTALRM',
  'PROF',
  'WINCH',
  'IO',
  'POLL',
  'PWR',
  'SYS',
];

/** Signal names devenv accepts, without the SIG prefix. */
export const SIGNAL_NAMES: readonly string[] = SIGNALS;

/** `SIGTERM`, `TERM`, `sigterm`, `15`, `SIGRTMIN+3` → the form Docker takes (`SIGTERM`, `15`); undefined otherwise. */
export function parseSignal(value: unknown): string | undefined {
  const raw = String(value ?? '').trim();
  if (/^\d+$/.test(raw)) return Number(raw) >= 1 && Number(raw) <= 64 ? raw : undefined;
  const name = raw.toUpperCase().replace(/^SIG/, '');
  if (SIGNALS.includes(name)) return `SIG${name}`;
  const rt = /^RT(MIN|MAX)([+-]\d+)?$/.exec(name);
  if (rt) return `SIG${name}`;
  return undefined;
}

/** An octal mode written as a number YAML read as octal (`0440` → 288) or a string (`"0440"`). */
export function parseFileMode(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value <= 0o7777 ? value : undefined;
  if (typeof value !== 'string' || !/^0?o?[0-7]{1,4}$/i.test(value.trim())) return undefined;
  return Number.parseInt(value.trim().replace(/^0?o/i, ''), 8);
}

const ULIMIT_NAMES = new Set([
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
]);

export function isUlimitName(name: string): boolean {
  return ULIMIT_NAMES.has(name);
}

export const ULIMIT_NAME_LIST: readonly string[] = [...ULIMIT_NAMES];
