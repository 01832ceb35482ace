// `npm install` runs this (the `prepare` script): point git at the repository's own hooks,
// so the pre-commit lint and format check runs for everyone without a hook manager.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (existsSync('.git')) {
  try {
    execFileSync('git', ['config', 'core.hooksPath', 'scripts/git-hooks'], { stdio: 'ignore' });
  } catch {
    // Not a git checkout we can configure (a tarball, a read-only clone): hooks are optional.
  }
}
