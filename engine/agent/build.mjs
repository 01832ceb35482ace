#!/usr/bin/env node
// Builds the in-container sync agent as a static binary for this machine's architecture:
// engine/agent/build/devenv-sync-agent-linux-<arch>. Without gcc it says so and exits 0: the
// engine then syncs through the slower putArchive fallback (see docs/sync.md).
import { buildAgent } from '../dist/sync/agent-binary.js';

const result = await buildAgent({ force: process.argv.includes('--force') });
if (result.ok) console.log(`sync agent: ${result.path}${result.built ? ' (built)' : ' (up to date)'}`);
else console.warn(`sync agent not built: ${result.reason}`);
