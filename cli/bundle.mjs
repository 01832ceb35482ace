// Bundles cli/dist/quick.js (built by tsc) into one CommonJS file, cli/dist/quick.cjs, that
// bin/devenv.js loads first for `devenv status`: see cli/src/quick.ts for why.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const dist = join(dirname(fileURLToPath(import.meta.url)), 'dist');
await esbuild.build({
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
  logLevel: 'warning',
});
