// Bundles the extension into one CommonJS file (dist/extension.js) for VS Code: `vscode` is
// provided by the host; everything else (vscode-languageclient, the engine's protocol types)
// is inlined, so the .vsix needs no node_modules.
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const options = {
  entryPoints: ['src/extension.ts'],
  outfile: 'dist/extension.js',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['vscode'],
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
};

if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  const started = Date.now();
  await esbuild.build(options);
  console.log(`extension bundled in ${Date.now() - started} ms${production ? ' (production)' : ''}`);
}
