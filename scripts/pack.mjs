#!/usr/bin/env node
// `npm run pack`: what a user installs, from this checkout (after `npm run build`, which the npm
// script runs first through scripts/ensure-node-deps.sh):
//   pack/devenv-cli-devenv-<version>.tgz  the CLI with the engine bundled: npm install -g <file>
//   extension/devenv-<version>.vsix       the VS Code extension, carrying the same CLI
// See docs/install.md.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { packPackage, stagePackage } from '../cli/stage-package.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'pack');
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const staged = await stagePackage(path.join(out, 'devenv'));
const packed = packPackage(staged.outDir, out);
const tgz = packed.file;
console.log(
  `${path.relative(root, tgz)}: ${mb(statSync(tgz).size)} (${packed.entryCount} files, ${mb(packed.unpackedSize)} unpacked)`,
);

execFileSync('npm', ['run', '--silent', 'package', '-w', 'extension'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});
const vsix = readdirSync(path.join(root, 'extension'))
  .filter((f) => f.endsWith('.vsix'))
  .map((f) => path.join(root, 'extension', f))
  .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
console.log(`${path.relative(root, vsix)}: ${mb(statSync(vsix).size)}`);
console.log(`install: npm install -g ${path.relative(process.cwd(), tgz) || tgz}`);
