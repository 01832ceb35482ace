// `o`: hand a URL to the desktop's opener (xdg-open on Linux, open on macOS, start on Windows).
// Rejects when no opener can be started, so the app shows the URL instead.

import { spawn } from 'node:child_process';

export function openUrl(url: string, platform: NodeJS.Platform = process.platform): Promise<void> {
  const [cmd, args] =
    platform === 'darwin'
      ? ['open', [url]]
      : platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { detached: true, stdio: 'ignore' });
    child.once('error', reject);
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}
