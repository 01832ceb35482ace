// What `devenv ci --artifacts DIR` keeps for later: each service's whole log as it came
// (logs/<service>.log, streamed to disk, never held in memory), the up's timeline (JSON, the
// waterfall as text, and OTLP/JSON spans), the final status, and the JUnit report.

import { createWriteStream, mkdirSync, type WriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogEvent } from '@devenv/engine';
import { stripAnsi } from '../output/terminal-text.js';

export class Artifacts {
  private readonly logs = new Map<string, WriteStream>();
  readonly written: string[] = [];

  constructor(readonly dir: string) {
    mkdirSync(join(dir, 'logs'), { recursive: true });
  }

  /** One line of a service's log (devenv's own notes marked `devenv`), with its time. */
  log(e: LogEvent): void {
    let out = this.logs.get(e.service);
    if (!out) {
      const file = join(this.dir, 'logs', `${e.service.replace(/[^A-Za-z0-9._-]/g, '_')}.log`);
      out = createWriteStream(file, { flags: 'w' });
      out.on('error', () => undefined);
      this.logs.set(e.service, out);
      this.written.push(file);
    }
    const stream = e.stream === 'system' ? 'devenv' : e.stream;
    out.write(`${e.ts} ${stream.padEnd(6)} ${stripAnsi(e.line)}\n`);
  }

  file(name: string, content: string): string {
    const file = join(this.dir, name);
    writeFileSync(file, content);
    this.written.push(file);
    return file;
  }

  /** Every log written out and closed. */
  async close(): Promise<void> {
    await Promise.all([...this.logs.values()].map((s) => new Promise<void>((resolve) => s.end(() => resolve()))));
    this.logs.clear();
  }
}
