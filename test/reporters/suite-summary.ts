// Prints, after the run, how many tests ran, passed, failed and were skipped per project, and
// every skipped suite or test by name: a skip always says what was missing, never hides.

import type { Reporter, TestCase, TestModule } from 'vitest/node';

/** A test that never ran because a `beforeAll` of its suite (or its module) failed: a failure, not a skip. */
function setupFailed(test: TestCase): boolean {
  let parent: TestCase['parent'] = test.parent;
  for (;;) {
    // Its own hook failed (not merely a failing test inside it).
    if (parent.state() === 'failed' && parent.errors().length > 0) return true;
    if (parent.type === 'module') return false;
    parent = parent.parent;
  }
}

export default class SuiteSummary implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const counts = new Map<string, { passed: number; failed: number; skipped: number }>();
    const skippedSuites = new Map<string, number>();
    for (const mod of modules) {
      const project = mod.project.name || 'default';
      const c = counts.get(project) ?? { passed: 0, failed: 0, skipped: 0 };
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') c.passed++;
        else if (state === 'failed' || setupFailed(test)) c.failed++;
        else {
          c.skipped++;
          // What was skipped names the reason: the outermost skipped describe (`… (needs a Docker
          // engine)`), or the test itself when its suite ran (`privileged (needs a machine …)`).
          let parent = test.parent;
          let skipped = test.name;
          while (parent.type === 'suite') {
            if (parent.state() === 'skipped') skipped = parent.name;
            parent = parent.parent;
          }
          const key = `${mod.moduleId.replace(`${process.cwd()}/`, '')}: ${skipped}`;
          skippedSuites.set(key, (skippedSuites.get(key) ?? 0) + 1);
        }
      }
      counts.set(project, c);
    }
    const lines = ['', 'devenv test summary'];
    for (const [project, c] of counts) {
      lines.push(
        `  ${project.padEnd(12)} ran ${c.passed + c.failed}: ${c.passed} passed, ${c.failed} failed; skipped ${c.skipped}`,
      );
    }
    if (skippedSuites.size > 0) {
      lines.push('  skipped (and why):');
      for (const [suite, n] of skippedSuites) lines.push(`    ${n} × ${suite}`);
    } else {
      lines.push('  nothing skipped');
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}
