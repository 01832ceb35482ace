// The top row: project, runtime, how many services are healthy, the phase, and the runtime's
// engine when it is away ("engine unavailable, waiting"); for Kubernetes a second row with the
// cluster and the Argo CD Applications' sync and health, and what a running sync does (a PreSync
// migration, a PostSync smoke test).

import { argoActivity, type ProjectPhase, runtimeHealthWords, type ServiceStatus } from '@devenv/engine';
import type { ColourName } from '../paint.js';
import type { ProjectInfo } from '../state/reducer.js';
import { isGood, stringWidth } from '../text.js';
import { Lines, type Piece } from './line.js';

const phaseColour: Record<ProjectPhase, ColourName> = {
  idle: 'gray',
  planning: 'yellow',
  starting: 'yellow',
  running: 'green',
  degraded: 'red',
  stopping: 'yellow',
  stopped: 'gray',
  failed: 'red',
};

export function runtimeLabel(p: Pick<ProjectInfo, 'runtime' | 'runtimeDetail'>): string {
  const detail = p.runtimeDetail;
  switch (p.runtime) {
    case 'docker':
      return detail && /^docker/i.test(detail) ? detail : `Docker${detail ? ` ${detail}` : ''}`;
    case 'process':
      return `processes${detail ? ` (${detail})` : ''}`;
    case 'kubernetes':
      return `Kubernetes${detail ? ` · context ${detail}` : ''}`;
    default:
      return 'connecting…';
  }
}

function argoColour(value: string): ColourName {
  if (value === 'Synced' || value === 'Healthy') return 'green';
  if (value === 'Degraded' || value === 'Missing' || value === 'Unknown') return 'red';
  return 'yellow';
}

function activity(a: ReturnType<typeof argoActivity>): Piece[] {
  return a ? [{ text: ` (${a.text})`, color: a.failed ? 'red' : 'yellow' }] : [];
}

export function Header({
  project,
  services,
  width,
}: {
  project: ProjectInfo;
  services: ServiceStatus[];
  width: number;
}) {
  const good = services.filter(isGood).length;
  const sep: Piece = { text: '  ·  ', dim: true };
  const left: Piece[] = [
    { text: ' devenv ', bold: true, color: 'cyan' },
    { text: ' ' },
    { text: project.name, bold: true },
    sep,
    { text: runtimeLabel(project) },
    sep,
    {
      text: `${good}/${services.length} healthy`,
      color: services.length > 0 && good === services.length ? 'green' : 'yellow',
    },
    sep,
    { text: project.phase, color: phaseColour[project.phase] },
  ];
  const engine = runtimeHealthWords(project.runtimeHealth);
  if (engine)
    left.push(sep, {
      text: engine,
      bold: true,
      color: project.runtimeHealth?.state === 'unavailable' ? 'red' : 'yellow',
    });
  const help: Piece = { text: '? help ', dim: true };
  const used = left.reduce((n, p) => n + stringWidth(p.text), 0);
  const gap = width - used - stringWidth(help.text);
  const row = gap >= 1 ? [...left, { text: ' '.repeat(gap) }, help] : left;
  const cluster = project.cluster;
  const rows: Piece[][] = [row];
  if (cluster) {
    rows.push([
      { text: ' cluster ', dim: true },
      { text: cluster.name, bold: true },
      sep,
      { text: 'context ', dim: true },
      { text: cluster.context },
      ...(cluster.argocd?.length
        ? [
            sep,
            { text: 'Argo CD ', dim: true },
            ...cluster.argocd.flatMap((a, i): Piece[] => [
              ...(i > 0 ? [{ text: ', ', dim: true }] : []),
              { text: `${a.service ?? a.app} ` },
              { text: a.sync, color: argoColour(a.sync) },
              { text: '/', dim: true },
              { text: a.health, color: argoColour(a.health) },
              ...activity(argoActivity(a)),
            ]),
          ]
        : [sep, { text: 'Argo CD: no Applications yet', dim: true }]),
    ]);
  }
  return <Lines rows={rows} width={width} />;
}
