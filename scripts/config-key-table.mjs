// Writes the Compose key tables of docs/config.md from the key table in code
// (engine/src/config/compose-keys.ts, compiled to engine/dist by `tsc -b`): `npm run docs:keys`.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { withKeyTables } = await import(join(root, 'engine', 'dist', 'config', 'compose-keys-docs.js'));
const path = join(root, 'docs', 'config.md');
const doc = readFileSync(path, 'utf8');
const updated = withKeyTables(doc);
if (updated === undefined) {
  process.stderr.write('docs/config.md has no compose-keys markers: add them where the tables go\n');
  process.exit(1);
}
writeFileSync(path, updated);
// The formatter aligns the table columns; the docs test compares without that padding.
execFileSync('npx', ['biome', 'format', '--write', path], { cwd: root, stdio: 'ignore' });
process.stdout.write('docs/config.md: key tables written\n');
