#!/usr/bin/env node
// Entry point kept tiny so `devenv status` starts fast: everything heavy is imported lazily.
// A command's promise settles when it is done; exit then, whatever handles are still open.
import('../dist/main.js').then((m) => m.main(process.argv.slice(2))).then(() => process.exit(process.exitCode ?? 0));
