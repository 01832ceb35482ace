#!/usr/bin/env node
// Entry point kept tiny so `devenv status` answers fast. CommonJS (bin/package.json) so the
// bundled quick path, dist/quick.cjs (see src/quick.ts), loads without Node's ESM loader; every
// other command, and `status` when no daemon runs, goes to the full CLI (ESM, imported lazily).
// A command's promise settles when it is done; exit then, whatever handles are still open.
'use strict';
const { join } = require('node:path');
const { quickBundle } = require('./quick-path.js');

const argv = process.argv.slice(2);

// A quick path that cannot load or answer hands over to the full CLI, which reports any error.
Promise.resolve()
  .then(() => {
    const bundle =
      argv.includes('status') || argv.includes('ps') ? quickBundle(join(__dirname, '..', 'dist')) : undefined;
    return bundle ? require(bundle).quick(argv) : undefined;
  })
  .catch(() => undefined)
  .then((code) => code ?? import('../dist/main.js').then((m) => m.main(argv)).then(() => process.exitCode ?? 0))
  .then((code) => process.exit(code));
