// Diagnostics for one Compose file as it is being edited (the language server calls this on
// every change): the same checks as loading, including the ones that look at the disk, but it
// never writes. Unsupported keys come one per key so each can be underlined.

import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { compileProject } from './compile-project.js';
import { type ConfigFs, nodeFs, readForLoader } from './config-fs.js';
import { byPosition, type ConfigDiagnostic, Diagnostics } from './diagnostics.js';
import { parseDotenv } from './dotenv.js';
import { keyDiagnostics, runtimeKeyProblems, runtimeKindOf } from './key-uses.js';
import { enabledProfiles } from './profiles.js';

export function validateDocument(
  text: string,
  file: string,
  env: Record<string, string | undefined>,
  fs: ConfigFs = nodeFs,
): ConfigDiagnostic[] {
  const path = resolve(file);
  const projectDir = dirname(path);
  const diagnostics = new Diagnostics();
  const warnedUnset = new Set<string>();
  const dotenvPath = join(projectDir, '.env');
  const dotenvRead = readForLoader(fs, dotenvPath);
  if ('problem' in dotenvRead) diagnostics.add([{ severity: 'error', ...dotenvRead.problem }]);
  const dotenvText = 'text' in dotenvRead ? dotenvRead.text : undefined;
  const merged: Record<string, string | undefined> = {};
  if (dotenvText !== undefined) {
    const parsed = parseDotenv(dotenvText, dotenvPath, (name, sofar) => env[name] ?? sofar[name], warnedUnset);
    diagnostics.add(parsed.diagnostics);
    Object.assign(merged, parsed.values);
  }
  for (const [key, value] of Object.entries(env)) if (value !== undefined) merged[key] = value;
  const output = compileProject({
    files: [{ path, text }],
    projectDir,
    env: merged,
    profiles: enabledProfiles([], merged.COMPOSE_PROFILES),
    fs,
    home: merged.HOME ?? homedir(),
    diagnostics,
    warnedUnset,
    warningsPerKey: true,
  });
  // A file that names its runtime is checked against it, as `up` will.
  const kind = runtimeKindOf(output.project?.devenv.runtime);
  if (kind && output.keyUses) {
    diagnostics.add(keyDiagnostics(runtimeKeyProblems(output.keyUses, { kind }), { projectDir, perKey: true }));
  }
  return diagnostics.items.sort(byPosition);
}
