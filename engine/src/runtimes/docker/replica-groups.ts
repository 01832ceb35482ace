// A service that runs several instances (`scale: 3`) is, to the engine, one instance: the id of
// its first container stands for all of them. This file remembers which containers each such id
// stands for (from `create`, and from the labels `observe` reads), so every runtime operation is
// done to each, and a container's own events are reported under its group's id. A service with
// one instance is not in here: its id is its container's.

import type Dockerode from 'dockerode';
import { LABEL } from './labels.js';

export interface ObservedGroup {
  leader: string;
  service: string;
  specHash: string;
  /** False when an instance is missing (removed by hand): the group no longer matches its spec. */
  complete: boolean;
}

export class ReplicaGroups {
  private readonly members = new Map<string, string[]>();
  private readonly leaders = new Map<string, string>();

  /** The containers of one group, first instance first. */
  set(ids: readonly string[]): void {
    const [leader] = ids;
    if (!leader || ids.length < 2) return;
    this.members.set(leader, [...ids]);
    for (const id of ids) this.leaders.set(id, leader);
  }

  membersOf(id: string): string[] {
    return this.members.get(id) ?? [id];
  }

  leaderOf(id: string): string {
    return this.leaders.get(id) ?? id;
  }

  forget(id: string): void {
    for (const member of this.members.get(id) ?? []) this.leaders.delete(member);
    this.members.delete(id);
  }

  /** Groups the project's containers by service and spec hash, in instance order, and remembers them. */
  fromContainers(list: readonly Dockerode.ContainerInfo[]): ObservedGroup[] {
    const byKey = new Map<
      string,
      { service: string; specHash: string; items: { id: string; n: number; of: number }[] }
    >();
    for (const c of list) {
      const service = c.Labels[LABEL.service];
      if (!service) continue;
      const specHash = c.Labels[LABEL.specHash] ?? '';
      const [n = 1, of = 1] = (c.Labels[LABEL.replica] ?? '1/1').split('/').map(Number);
      // Single instances stay apart (a duplicate left by a crash is its own instance, for the planner).
      const key = of > 1 ? `${service}\0${specHash}` : `${service}\0${specHash}\0${c.Id}`;
      const group = byKey.get(key) ?? { service, specHash, items: [] };
      group.items.push({ id: c.Id, n, of });
      byKey.set(key, group);
    }
    const out: ObservedGroup[] = [];
    for (const group of byKey.values()) {
      group.items.sort((a, b) => a.n - b.n || a.id.localeCompare(b.id));
      const ids = group.items.map((i) => i.id);
      this.set(ids);
      const expected = group.items[0]?.of ?? 1;
      const distinct = new Set(group.items.map((i) => i.n)).size;
      out.push({
        leader: ids[0] as string,
        service: group.service,
        specHash: group.specHash,
        complete: distinct === expected,
      });
    }
    return out;
  }
}
