import { describe, expect, it } from 'vitest';
import { SessionTree } from './session-tree.js';

describe('SessionTree', () => {
  it('tracks the children and grandchildren of a Run Both, ignores other sessions', () => {
    const t = new SessionTree();
    t.addRoot('run');
    expect(t.started('backend', 'run')).toBe('child');
    expect(t.started('frontend', 'run')).toBe('child');
    expect(t.started('backend-sub', 'backend')).toBe('child');
    expect(t.started('other', undefined)).toBe('ignore');
    expect(t.started('other-child', 'other')).toBe('ignore');
    expect(t.descendants('run')).toEqual(['backend', 'backend-sub', 'frontend']);
  });

  it('stops deepest first, and marks the tree as stopping', () => {
    const t = new SessionTree();
    t.addRoot('run');
    t.started('backend', 'run');
    t.started('backend-sub', 'backend');
    t.started('worker', 'run');
    expect(t.stopBelow('run')).toEqual(['worker', 'backend-sub', 'backend']);
    expect(t.isStopping('backend')).toBe(true);
  });

  it('a child that starts after its parent began stopping is stopped at once', () => {
    const t = new SessionTree();
    t.addRoot('run');
    t.started('backend', 'run');
    t.stopBelow('run');
    // debugpy announced the reloader's server just before the stop reached it
    expect(t.started('backend-sub', 'backend')).toBe('stop');
  });

  it('when a session ends, its remaining children must go too; a late one as well', () => {
    const t = new SessionTree();
    t.addRoot('run');
    t.started('backend', 'run');
    t.started('backend-sub', 'backend');
    expect(t.endedSession('backend')).toEqual(['backend-sub']);
    expect(t.started('backend-sub-2', 'backend')).toBe('stop');
    expect(t.endedSession('unknown')).toEqual([]);
    expect(t.endedSession('backend-sub')).toEqual([]);
  });
});
