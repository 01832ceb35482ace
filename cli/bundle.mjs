// Bundles cli/dist/quick.js (built by tsc) into one CommonJS file, cli/dist/quick.cjs, that
// bin/devenv.js loads first for `devenv status`: see cli/src/quick.ts for why. Beside it,
// quick.inputs.json lists the files it was made from, so the bin can tell a stale bundle (after
// a bare `tsc -b` rewrote one of them) and use the full CLI instead.
import { writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const dist = join(dirname(fileURLToPath(import.meta.url)), 'dist');
const result = await esbuild.build({
  entryPoints: [join(dist, 'quick.js')],
  outfile: join(dist, 'quick.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // The bundle sits beside the modules it was made from, so their import.meta.url-relative
  // paths (context.ts finds bin/devenv.js that way) stay right.
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__importMetaUrl' },
  metafile: true,
  logLevel: 'warning',
});
// Paths relative to dist/, so a moved checkout still finds them.
const inputs = Object.keys(result.metafile.inputs).map((p) => relative(dist, resolve(p)));
writeFileSync(join(dist, 'quick.inputs.json'), `${JSON.stringify(inputs)}\n`);
