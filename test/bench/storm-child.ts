/**
 * The finding storm, in its own process so its peak RSS is its own: 100 GuardDuty findings on 100
 * instances, each delivered 100 times with a rising `service.count` and `updatedAt` (as GuardDuty
 * publishes count updates), built from the public GuardDuty samples → planBatch. Prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileRouter } from '../../functions/core/playbooks/match.js';
import { loadPlaybooks } from '../../functions/core/playbooks/load.js';
import { planSettings } from '../../functions/core/plan/plan.js';
import { planBatch } from '../../functions/engine/planning.js';
import type { InputFile } from '../../functions/engine/inputs.js';
import { PUBLIC_FIXTURES } from './fixtures.js';

const STORM_TEMPLATES = [
  'guardduty/sample-UnauthorizedAccess.EC2-SSHBruteForce.eventbridge.json',
  'guardduty/sample-Trojan.EC2-DGADomainRequest.B.bare.json',
  'guardduty/sample-Backdoor.EC2-DenialOfService.UdpOnTcpPorts.bare-array.json',
];
const FINDINGS = 100;
const DELIVERIES = 100;

type Json = Record<string, unknown>;

/** The GuardDuty finding inside each delivery shape: EventBridge envelope, bare finding, console-export array. */
function findingOf(event: unknown): Json {
  if (Array.isArray(event)) return event[0] as Json;
  const e = event as Json;
  return (typeof e['detail-type'] === 'string' ? e['detail'] : e) as Json;
}

function delivery(template: string, finding: number, n: number): string {
  const event = JSON.parse(template) as unknown;
  const f = findingOf(event);
  const id = `${String(f['id'])}${finding.toString(16).padStart(4, '0')}`;
  f['id'] = id;
  f['arn'] = String(f['arn']).replace(/finding\/.*$/, `finding/${id}`);
  const instance = ((f['resource'] as Json)['instanceDetails'] as Json);
  instance['instanceId'] = `i-${(0x5000000 + finding).toString(16).padStart(17, '0')}`;
  const service = f['service'] as Json;
  service['count'] = n + 1;
  const updatedAt = new Date(Date.parse('2026-01-01T00:00:00Z') + (finding * DELIVERIES + n) * 1000).toISOString();
  f['updatedAt'] = updatedAt;
  service['eventLastSeen'] = updatedAt;
  return JSON.stringify(event);
}

const templates = STORM_TEMPLATES.map((t) => readFileSync(join(PUBLIC_FIXTURES, t), 'utf8'));
const inputs: InputFile[] = [];
// Deliveries interleave across findings, as a storm arrives.
for (let n = 0; n < DELIVERIES; n++) for (let f = 0; f < FINDINGS; f++) inputs.push({ origin: `storm/${f}/${n}`, text: delivery(templates[f % templates.length]!, f, n) });

const t0 = performance.now();
const batch = planBatch(inputs, compileRouter(loadPlaybooks()), planSettings({ now: new Date(), mode: 'automatic' }));
const ms = performance.now() - t0;
const resources = new Set(batch.planned.flatMap((p) => p.incident.finding.resources.map((r) => r.id)));
process.stdout.write(
  `${JSON.stringify({
    findings: inputs.length,
    incidents: batch.planned.length,
    resources: resources.size,
    rejected: batch.rejected.length,
    deliveriesPerIncident: [...new Set(batch.planned.map((p) => p.deliveries))],
    planMs: Math.round(ms),
    // maxRSS is in KiB: the high-water mark of this whole process (tsx loader, inputs and plans included).
    peakRssMb: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
  })}\n`,
);
