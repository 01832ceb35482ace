#!/usr/bin/env node
// Entry point kept tiny so `devenv status` starts fast: everything heavy is imported lazily.
import('../dist/main.js').then((m) => m.main(process.argv.slice(2)));
