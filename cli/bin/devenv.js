#!/usr/bin/env node
// Entry point kept tiny so `devenv status` answers fast. CommonJS (bin/package.json) so the
// bundled quick path, dist/quick.cjs (see src/quick.ts), loads without Node's ESM loader; every
// other command, and `status` when no daemon runs, goes to the full CLI (ESM, imported lazily).
// A command's promise settles when it is done; exit then, whatever handles are still open.
'use strict';
const { statSync } = require('node:fs');
const { join } = require('node:path');

const argv = process.argv.slice(2);

/** dist/quick.cjs, unless it is missing or older than the tsc output it was bundled from. */
function quickPath() {
  if (!argv.includes('status') && !argv.includes('ps')) return undefined;
  const bundle = join(__dirname, '..', 'dist', 'quick.cjs');
  try {
    return statSync(bundle).mtimeMs >= statSync(join(__dirname, '..', 'dist', 'quick.js')).mtimeMs ? bundle : undefined;
  } catch {
    return undefined;
  }
}

const bundle = quickPath();
(bundle ? require(bundle).quick(argv) : Promise.resolve(undefined))
  .then((code) => code ?? import('../dist/main.js').then((m) => m.main(argv)).then(() => process.exitCode ?? 0))
  .then((code) => process.exit(code));
