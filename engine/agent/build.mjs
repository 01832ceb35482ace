#!/usr/bin/env node
// Builds the in-container sync agent as a static binary for each architecture containers run
// (engine/agent/build/devenv-sync-agent-linux-{amd64,arm64}): natively for this machine's, with a
// cross compiler for the other. One that cannot be built is said and skipped (exit 0): the
// engine then syncs containers of that architecture through the slower putArchive fallback
// (see docs/sync.md).
import { AGENT_ARCHES, buildAgent } from '../dist/sync/agent-binary.js';

for (const arch of AGENT_ARCHES) {
  const result = await buildAgent({ arch, force: process.argv.includes('--force') });
  if (result.ok) console.log(`sync agent linux/${arch}: ${result.path}${result.built ? ' (built)' : ' (up to date)'}`);
  else console.warn(`sync agent linux/${arch} not built: ${result.reason}`);
}
