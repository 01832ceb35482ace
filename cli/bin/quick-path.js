// Which bundled quick path bin/devenv.js may use: dist/quick.cjs, unless it is missing or older
// than any file it was bundled from (listed in dist/quick.inputs.json by cli/bundle.mjs), as
// after a bare `tsc -b`. Then the full CLI answers.
'use strict';
const { readFileSync, statSync } = require('node:fs');
const { join } = require('node:path');

/** @param {string} dist @returns {string | undefined} */
function quickBundle(dist) {
  try {
    const built = statSync(join(dist, 'quick.cjs')).mtimeMs;
    const inputs = JSON.parse(readFileSync(join(dist, 'quick.inputs.json'), 'utf8'));
    if (!Array.isArray(inputs) || inputs.length === 0) return undefined;
    return inputs.every((p) => statSync(join(dist, p)).mtimeMs <= built) ? join(dist, 'quick.cjs') : undefined;
  } catch {
    return undefined;
  }
}

module.exports = { quickBundle };
