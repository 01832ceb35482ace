// Which debug sessions belong to which Run Both, and which must go. Sessions arrive and leave
// in any order: a child can start after its parent was told to stop (debugpy announces a
// subprocess late; js-debug opens its target session late). Such a late child would outlive
// its parent, invisible in the Call Stack but keeping VS Code in debug mode, so it is stopped
// as soon as it appears. Session ids only; the VS Code wiring keeps the session objects.

export class SessionTree {
  private readonly children = new Map<string, Set<string>>();
  private readonly tracked = new Set<string>();
  private readonly stopping = new Set<string>();
  private readonly ended = new Set<string>();

  /** A Run Both session: its descendants are tracked. */
  addRoot(id: string): void {
    this.tracked.add(id);
  }

  /**
   * A session started. 'child': it is part of a tracked tree; 'stop': it is, but its parent is
   * gone or going, so stop it now; 'ignore': not ours.
   */
  started(id: string, parentId: string | undefined): 'child' | 'stop' | 'ignore' {
    if (!parentId || !this.tracked.has(parentId)) return 'ignore';
    this.tracked.add(id);
    const siblings = this.children.get(parentId) ?? new Set<string>();
    siblings.add(id);
    this.children.set(parentId, siblings);
    if (this.ended.has(parentId) || this.stopping.has(parentId)) {
      this.stopping.add(id);
      return 'stop';
    }
    return 'child';
  }

  /** Every session below `id`, deepest last. */
  descendants(id: string): string[] {
    return [...(this.children.get(id) ?? [])].flatMap((child) => [child, ...this.descendants(child)]);
  }

  /** Mark `id`'s whole tree as being stopped; returns the sessions to stop, deepest first. */
  stopBelow(id: string): string[] {
    const all = this.descendants(id).filter((d) => !this.ended.has(d));
    for (const d of all) this.stopping.add(d);
    this.stopping.add(id);
    return all.reverse();
  }

  /** A session ended; returns its children still running, which must be stopped too. */
  endedSession(id: string): string[] {
    if (!this.tracked.has(id)) return [];
    this.ended.add(id);
    return this.stopBelow(id);
  }

  /** Whether a session is on its way out (no new children should be started for it). */
  isStopping(id: string): boolean {
    return this.stopping.has(id) || this.ended.has(id);
  }
}
