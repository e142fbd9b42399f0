import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionName, Finding } from '../../functions/core/model.js';
import { loadPlaybooks } from '../../functions/core/playbooks/load.js';
import { compileRouter } from '../../functions/core/playbooks/match.js';
import { planIncident, planSettings, type PlanSettings } from '../../functions/core/plan/plan.js';
import { defenderAlert, finding, graphAlert, instance, resource, STORAGE_ID } from '../support/findings.js';
import type { PlannedFinding } from '../../functions/engine/planning.js';
import type { IncidentReport } from '../../functions/engine/responder.js';
import { openLocalRecords, type LocalRecords } from '../../functions/engine/runtime.js';
import { runLocally } from '../../functions/engine/session.js';
import type { AuditRecord } from '../../functions/records/audit-log.js';
import { startSimulatedEstate, type SimulatedEstate } from '../../functions/sim/estate.js';
import type { FaultRule } from '../../functions/sim/faults.js';

/**
 * The whole local engine as `cordon tabletop` wires it — planner, compiled ASL on the local runner,
 * the real SDK clients, the simulated estate over loopback, SQLite case store, audit log — with a
 * fresh Cordon home per run, so reliability tests can inject faults and read every record back.
 */
export const PLAYBOOKS = loadPlaybooks();
export const ROUTER = compileRouter(PLAYBOOKS);
export const NOW = new Date('2026-03-28T12:05:00.000Z');

const HUB = 'arn:aws:securityhub:eu-west-1::product/aws/securityhub';
const ACCOUNT = '111122223333';

/** One scenario per playbook, together covering every cloud action (open-clock is local, never faulted). */
export const SCENARIOS = {
  ec2: finding({ id: 'sh-ec2-1', source: 'securityhub', productArn: HUB, type: 'Backdoor:EC2/C&CActivity.B!DNS', recordState: 'active', workflowStatus: 'new' }),
  iam: finding({
    id: 'sh-iam-1',
    source: 'securityhub',
    productArn: HUB,
    type: 'Exfiltration:IAMUser/AnomalousBehavior',
    recordState: 'active',
    workflowStatus: 'new',
    resources: [resource('AwsIamRole', `arn:aws:iam::${ACCOUNT}:role/app-role`), resource('AwsIamAccessKey', 'AKIAIOSFODNN7EXAMPLE')],
  }),
  s3: finding({
    id: 'sh-s3-1',
    source: 'securityhub',
    productArn: HUB,
    type: 'Effects/Data Exposure/AWS-Foundational-Security-Best-Practices',
    control: 'S3.8',
    complianceStatus: 'failed',
    recordState: 'active',
    workflowStatus: 'new',
    resources: [resource('AwsS3Bucket', 'arn:aws:s3:::cordon-exposed-bucket')],
  }),
  vm: defenderAlert(),
  storage: defenderAlert({
    id: 'storage-alert-1',
    type: 'Storage.Blob_AnonymousAccessAnomaly',
    resources: [{ type: 'Microsoft.Storage/storageAccounts', id: STORAGE_ID, tags: {}, account: '20ff7fc3-e762-44dd-bd96-b71116dcdc23' }],
  }),
  identity: graphAlert({ type: 'Exfiltration' }),
} satisfies Record<string, Finding>;
export type ScenarioName = keyof typeof SCENARIOS;

/** Per cloud action: the scenario that plans it (the call that changes something comes from the catalog). */
export const ACTION_CASES: readonly { action: ActionName; scenario: ScenarioName }[] = [
  { action: 'quarantine-instance', scenario: 'ec2' },
  { action: 'snapshot-volumes', scenario: 'ec2' },
  { action: 'update-finding', scenario: 'ec2' },
  { action: 'revoke-role-sessions', scenario: 'iam' },
  { action: 'deactivate-access-key', scenario: 'iam' },
  { action: 'block-s3-public-access', scenario: 's3' },
  { action: 'quarantine-vm', scenario: 'vm' },
  { action: 'snapshot-disks', scenario: 'vm' },
  { action: 'update-alert', scenario: 'vm' },
  { action: 'block-storage-public-access', scenario: 'storage' },
  { action: 'revoke-user-sessions', scenario: 'identity' },
];

export function plannedFinding(f: Finding, settings: Partial<PlanSettings> = {}): PlannedFinding {
  const incident = planIncident(f, ROUTER(f), planSettings({ now: NOW, mode: 'tabletop', ...settings }));
  const raw = JSON.stringify(f);
  return { incident, ingested: { finding: f, raw: f, rawSha256: createHash('sha256').update(raw).digest('hex'), origin: `test:${f.id}` }, deliveries: 1 };
}

const homes: string[] = [];
export function freshHome(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-reliability-'));
  homes.push(dir);
  return dir;
}
export function removeHomes(): void {
  for (const d of homes.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface EngineRun {
  reports: IncidentReport[];
  estate: SimulatedEstate;
  records: LocalRecords;
  audit(): AuditRecord[];
  /** Served (HTTP 2xx) calls of an operation, across every step. */
  served(operation: string): number;
}

export interface EngineOptions {
  faults?: FaultRule[];
  /** Seed the estate from the findings (default); false leaves every target missing. */
  seed?: boolean;
  estate?: SimulatedEstate;
  home?: string;
  requestTimeoutMs?: number;
}

/** Runs planned findings through the local engine; the caller closes `records` (and the estate, if it made none). */
export async function runEngine(planned: readonly PlannedFinding[], options: EngineOptions = {}): Promise<EngineRun> {
  const estate =
    options.estate ?? (await startSimulatedEstate({ findings: options.seed === false ? [] : planned.map((p) => p.incident.finding), faults: options.faults ?? [] }));
  const records = openLocalRecords(options.home ?? freshHome());
  const reports = await runLocally(planned, {
    mode: 'tabletop',
    playbooks: PLAYBOOKS,
    records,
    estate,
    // Retry pauses shrink to nothing; the retry counts are the definition's own.
    speed: 1_000_000,
    approve: async () => 'approved',
    ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
  });
  return {
    reports,
    estate,
    records,
    audit: () => readAudit(records.audit.path),
    served: (operation) => estate.server.calls.filter((c) => c.operation === operation && c.status < 300).length,
  };
}

export function readAudit(path: string): AuditRecord[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as AuditRecord);
}

export const stepOf = (report: IncidentReport, action: ActionName) => {
  const step = report.steps.find((s) => s.action === action);
  if (!step) throw new Error(`no ${action} step in ${report.incident.id}: ${report.steps.map((s) => s.action).join(', ')}`);
  return step;
};

export { instance };
