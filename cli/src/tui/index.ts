// The terminal UI of `devenv up`. Commands import only this module (lazily: ink and React
// load only when a TTY gets the UI).
export type { TuiClient } from './client.js';
export type { TuiOutcome } from './components/app.js';
export { daemonTuiClient } from './daemon-client.js';
export { declaredVolumes } from './declared-volumes.js';
export { type RenderUpTuiOptions, renderUpTui } from './render-up-tui.js';
