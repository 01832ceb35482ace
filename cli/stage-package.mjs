// Stages the package a user installs: the devenv CLI with the engine bundled into it and no
// dependency left to fetch. `npm run pack` packs it (`npm install -g <file>.tgz`), and the VS Code
// extension carries the same directory inside its .vsix (extension/dist/devenv). Run after
// `npm run build`: it bundles the compiled cli/dist and engine/dist. Usage:
//   node cli/stage-package.mjs OUT_DIR [--pack DEST_DIR]     (--pack: also `npm pack` it into DEST_DIR)
//
// Layout of OUT_DIR (mirrors the repository, so paths the code finds from its own location hold):
//   package.json          @devenv-cli/devenv, bin: devenv, no dependencies
//   bin/devenv.js         the repository's bin (CommonJS), unchanged
//   dist/main.js, dist/*  the CLI, engine and every dependency, bundled by esbuild (ESM, split at
//                         the CLI's lazy imports so `devenv status` loads only what it uses)
//   dist/quick.cjs        the quick `status` path (cli/bundle.mjs made it already)
//   engine/agent/         the sync agent's prebuilt static binaries, the fork reloader
//   THIRD-PARTY-NOTICES.txt  the licences of the bundled packages
//
// Why a bundle and not the compiled files with their node_modules (bundleDependencies): the
// production dependency tree is ~155 MB on disk (@kubernetes/client-node alone 57 MB,
// kubernetes-models 21 MB) where the bundle is ~8 MB (1.6 MB packed), small enough for the .vsix
// to carry too. docs/install.md has the figures.

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const cliDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.dirname(cliDir);
const engineDir = path.join(repoRoot, 'engine');

export const PACKAGE_NAME = '@devenv-cli/devenv';

/**
 * Where each compiled module lives in the staged package: cli/dist/x.js → dist/x.js and
 * engine/dist/x.js → engine/dist/x.js. Its `import.meta.url` is rewritten to that place, so code
 * that finds files beside itself (the sync agent, the reloader, bin/devenv.js for the daemon)
 * finds them in the package as it does in the repository.
 */
function packagePathOf(file) {
  const fromCli = path.relative(path.join(cliDir, 'dist'), file);
  if (!fromCli.startsWith('..')) return path.join('dist', fromCli);
  const fromEngine = path.relative(path.join(engineDir, 'dist'), file);
  if (!fromEngine.startsWith('..')) return path.join('engine', 'dist', fromEngine);
  return undefined;
}

// Every chunk is written to OUT_DIR/dist, so a chunk's own import.meta.url is dist/<chunk>.js.
const BANNER = [
  "import { createRequire as __devenvCreateRequire } from 'node:module';",
  "import { fileURLToPath as __devenvFileURLToPath } from 'node:url';",
  "import { dirname as __devenvDirname } from 'node:path';",
  // CommonJS dependencies bundled into ESM still call require() for Node's built-in modules.
  'const require = __devenvCreateRequire(import.meta.url);',
  'const __filename = __devenvFileURLToPath(import.meta.url);',
  'const __dirname = __devenvDirname(__filename);',
].join('\n');

/** Our compiled modules, adjusted for life inside one bundle. */
const ownModules = {
  name: 'devenv-own-modules',
  setup(build) {
    build.onLoad({ filter: /\/(cli|engine)\/dist\/.*\.js$/ }, (args) => {
      const target = packagePathOf(args.path);
      if (!target) return undefined;
      let text = readFileSync(args.path, 'utf8');
      // `createRequire(import.meta.url)` hides what it loads from the bundler: use the plain
      // `require`, which esbuild follows (dockerode, the cluster schemas) and the banner defines.
      text = text.replace(/^const require = createRequire\(import\.meta\.url\);$/m, '');
      const url = `new URL(${JSON.stringify(path.relative('dist', target))}, import.meta.url).href`;
      text = text.replaceAll('import.meta.url', url);
      // The compose schema's cache key is the bytes of the files the schema comes from: in the
      // package those bytes are the chunk itself (the schema JSON is inlined into it).
      const schemaKey = `sourcesKey([SPEC_SCHEMA_FILE, fileURLToPath(${url})])`;
      if (args.path.endsWith('/config/compose-schema.js') && !text.includes(schemaKey)) {
        throw new Error(`${args.path}: the schema's cache key changed; update stage-package.mjs`);
      }
      text = text.replace(schemaKey, 'sourcesKey([fileURLToPath(import.meta.url)])');
      if (/\brequire\.resolve\(/.test(text)) {
        throw new Error(`${args.path}: require.resolve() cannot work in the bundled package (no node_modules there)`);
      }
      return { contents: text, loader: 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

/**
 * dockerode loads BuildKit sessions (gRPC, protobufjs) and docker-modem loads ssh2 up front;
 * devenv uses them rarely (no BuildKit session; an ssh:// DOCKER_HOST). In the repository
 * engine/src/runtimes/docker/dockerode-client.ts defers them through Node's module cache; in the
 * bundle each becomes a function that runs the real module the first time it is called.
 */
const DEFERRED = [
  { request: './session', importer: /\/dockerode\/lib\/[^/]+\.js$/ },
  { request: './ssh', importer: /\/docker-modem\/lib\/[^/]+\.js$/ },
];
const deferredModules = {
  name: 'devenv-deferred-modules',
  setup(build) {
    build.onResolve({ filter: /^\.\/(session|ssh)$/ }, (args) => {
      if (!DEFERRED.some((d) => d.request === args.path && d.importer.test(args.importer))) return undefined;
      return { path: path.join(args.resolveDir, `${args.path}.js`), namespace: 'devenv-deferred' };
    });
    build.onLoad({ filter: /.*/, namespace: 'devenv-deferred' }, (args) => ({
      contents: `module.exports = function loadOnFirstCall(...args) { return require(${JSON.stringify(args.path)}).apply(this, args); };`,
      loader: 'js',
      resolveDir: path.dirname(args.path),
    }));
  },
};

/** Bundle the CLI into OUT_DIR/dist; answers esbuild's metafile. */
export async function bundle(outDir) {
  const result = await esbuild.build({
    absWorkingDir: repoRoot,
    entryPoints: { main: path.join(cliDir, 'dist', 'main.js') },
    outdir: path.join(outDir, 'dist'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Whitespace and syntax only: names stay, so a bug report's stack trace can be read.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    metafile: true,
    banner: { js: BANNER },
    // jsonc-parser's `main` is a UMD build whose requires esbuild cannot follow; its ESM build it can.
    alias: { 'jsonc-parser': path.join(repoRoot, 'node_modules', 'jsonc-parser', 'lib', 'esm', 'main.js') },
    // Optional native add-ons their users load inside try/catch (a pure-JS path exists for each),
    // and ink's devtools (only with DEV=true).
    external: ['cpu-features', '*.node', 'bufferutil', 'utf-8-validate', 'react-devtools-core'],
    plugins: [ownModules, deferredModules],
    logLevel: 'warning',
  });
  return result.metafile;
}

/** The licence texts of every third-party package that went into the bundle. */
function thirdPartyNotices(metafile) {
  const packages = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /^(.*node_modules\/)((?:@[^/]+\/)?[^/]+)\//.exec(input.replace(/^devenv-deferred:/, ''));
    if (!m) continue;
    const dir = path.resolve(repoRoot, m[1], m[2]);
    if (!packages.has(dir)) packages.set(dir, m[2]);
  }
  const sections = [];
  for (const [dir, name] of [...packages].sort((a, b) => a[1].localeCompare(b[1]))) {
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = file
      ? readFileSync(path.join(dir, file), 'utf8').trim()
      : `License: ${pkg.license ?? 'see the package'}`;
    sections.push(`${name}@${pkg.version}\n${'-'.repeat(name.length + pkg.version.length + 1)}\n${text}\n`);
  }
  return `devenv bundles these packages; their licences follow.\n\n${sections.join('\n')}`;
}

export async function stagePackage(outDir) {
  const started = Date.now();
  const cliPkg = JSON.parse(readFileSync(path.join(cliDir, 'package.json'), 'utf8'));
  for (const needed of ['dist/main.js', 'dist/quick.cjs']) {
    if (!existsSync(path.join(cliDir, needed)))
      throw new Error(`cli/${needed} is missing: run \`npm run build\` first`);
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  const metafile = await bundle(outDir);
  copyFileSync(path.join(cliDir, 'dist', 'quick.cjs'), path.join(outDir, 'dist', 'quick.cjs'));
  // bin/quick-path.js uses quick.cjs unless a file it was made from is newer. In the package
  // nothing is rebuilt beside it: the bundle is its own only input.
  writeFileSync(path.join(outDir, 'dist', 'quick.inputs.json'), '["quick.cjs"]\n');

  mkdirSync(path.join(outDir, 'bin'));
  for (const f of ['devenv.js', 'quick-path.js', 'package.json']) {
    copyFileSync(path.join(cliDir, 'bin', f), path.join(outDir, 'bin', f));
  }

  // The reloader runs inside services; the sync agent ships as its prebuilt static binaries only:
  // without the source beside them the engine uses them as they are (npm install stamps files
  // with the time it writes them, so a source could look newer and send the engine to a gcc the
  // user may not have).
  const agentOut = path.join(outDir, 'engine', 'agent');
  mkdirSync(path.join(agentOut, 'build'), { recursive: true });
  copyFileSync(path.join(engineDir, 'agent', 'devenv-reload.py'), path.join(agentOut, 'devenv-reload.py'));
  const agentBuild = path.join(engineDir, 'agent', 'build');
  const binaries = existsSync(agentBuild)
    ? readdirSync(agentBuild).filter((f) => /^devenv-sync-agent-linux-[a-z0-9]+$/.test(f))
    : [];
  if (binaries.length === 0) {
    throw new Error('no prebuilt sync agent in engine/agent/build: `npm run build` compiles it (needs gcc)');
  }
  for (const f of binaries) copyFileSync(path.join(agentBuild, f), path.join(agentOut, 'build', f));

  copyFileSync(path.join(cliDir, 'README.md'), path.join(outDir, 'README.md'));
  copyFileSync(path.join(repoRoot, 'extension', 'LICENSE'), path.join(outDir, 'LICENSE'));
  writeFileSync(path.join(outDir, 'THIRD-PARTY-NOTICES.txt'), thirdPartyNotices(metafile));
  const manifest = {
    name: PACKAGE_NAME,
    version: cliPkg.version,
    description:
      'devenv: one command (or F5 in VS Code) brings a multi-service Compose stack up with debuggers attached and live file sync.',
    license: 'MIT',
    type: 'module',
    bin: { devenv: 'bin/devenv.js' },
    engines: cliPkg.engines,
    keywords: ['compose', 'docker', 'dev environment', 'debugpy', 'hot reload', 'kubernetes'],
  };
  writeFileSync(path.join(outDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { outDir, ms: Date.now() - started, agents: binaries };
}

/** `npm pack` of a staged package into `dest`: the .tgz a user installs, and npm's figures. */
export function packPackage(stagedDir, dest) {
  mkdirSync(dest, { recursive: true });
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', stagedDir, '--pack-destination', dest, '--json', '--silent'], { encoding: 'utf8' }),
  );
  return { file: path.join(dest, packed.filename), entryCount: packed.entryCount, unpackedSize: packed.unpackedSize };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [out, flag, dest] = process.argv.slice(2);
  if (!out || (flag !== undefined && (flag !== '--pack' || !dest))) {
    console.error('usage: node cli/stage-package.mjs OUT_DIR [--pack DEST_DIR]');
    process.exit(1);
  }
  const staged = await stagePackage(path.resolve(out));
  console.log(
    `staged ${PACKAGE_NAME} in ${path.relative(process.cwd(), staged.outDir) || '.'} (${staged.ms} ms; sync agent: ${staged.agents.join(', ')})`,
  );
  // The last line is the packed file, for scripts and tests.
  if (flag) console.log(packPackage(staged.outDir, path.resolve(dest)).file);
}
