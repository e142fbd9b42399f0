import { join } from 'node:path';
import { lastJsonLine, runNode } from './child.js';
import { REPO_ROOT } from './fixtures.js';
import { atMost, type TargetCheck } from './stats.js';

export interface Storm {
  findings: number;
  incidents: number;
  resources: number;
  peakRssMb: number;
  planMs: number;
  method: string;
  target: TargetCheck;
}

export async function measureStorm(): Promise<Storm> {
  const r = lastJsonLine<Omit<Storm, 'method' | 'target'> & { rejected: number; deliveriesPerIncident: number[] }>(
    await runNode(['--import', 'tsx', join(REPO_ROOT, 'test/bench/storm-child.ts')], { cwd: REPO_ROOT }),
    'storm child',
  );
  const target = atMost(r.peakRssMb, 256, 'MB peak RSS');
  const right = r.incidents === 100 && r.rejected === 0;
  return {
    findings: r.findings,
    incidents: r.incidents,
    resources: r.resources,
    peakRssMb: r.peakRssMb,
    planMs: r.planMs,
    method:
      `one child process (node --import tsx): 100 GuardDuty finding ids on 100 instances × 100 deliveries with rising service.count and updatedAt, ` +
      `built from the 3 public GuardDuty samples (EventBridge, bare, console-array shapes), interleaved, all 10,000 texts held in memory → planBatch (automatic mode); ` +
      `peak RSS = the child's process.resourceUsage().maxRSS, which includes the tsx loader and the inputs; 1 run. ` +
      `${r.rejected} rejected; deliveries per incident ${r.deliveriesPerIncident.join(', ')}.`,
    target: right ? target : { ...target, pass: false, note: `expected 100 incidents and no rejections, got ${r.incidents} and ${r.rejected}` },
  };
}
