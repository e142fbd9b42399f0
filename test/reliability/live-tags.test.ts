import { writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { cordon } from '../cli/harness.js';
import { freshHome, removeHomes } from './engine-harness.js';

/**
 * Issue 11 B2 (DESIGN.md §4): `cordon:exempt` and `cordon:approval` are read from the live resource
 * just before a step acts, not from the finding (whose writer chose what it says). Each target here
 * is tagged only in the estate — the finding carries no such tag — so the plan acts and only the step
 * engine's live read can stop it. Twins: the same findings against the estate without the tags act,
 * so the check cannot pass by Cordon doing nothing.
 */
afterAll(removeHomes);

const SCENARIO = join(import.meta.dirname, '../../functions/tabletop/scenarios/default');
const ACCOUNT = '000000000000';
const ROLE = 'llm-inference-host';

type Estate = {
  aws: { account: string; instances: { id: string; tags?: Record<string, string> }[]; roles: { name: string; tags?: Record<string, string> }[]; buckets: { name: string; tags?: Record<string, string> }[] };
  azure: { vms: { id: string; tags?: Record<string, string> }[]; storageAccounts: { id: string; tags?: Record<string, string> }[] };
};

const dir = freshHome();

/** The default exercise's estate, with `tag` added to the resources `which` names. */
function estateWith(name: string, tag: Record<string, string>, which: { instance?: boolean; role?: boolean; bucket?: boolean; vm?: boolean; storage?: boolean }): string {
  const estate = parseYaml(readFileSync(join(SCENARIO, 'estate.yaml'), 'utf8')) as Estate;
  const add = (r: { tags?: Record<string, string> }) => (r.tags = { ...r.tags, ...tag });
  if (which.instance) estate.aws.instances.forEach(add);
  if (which.role) estate.aws.roles.forEach(add);
  if (which.bucket) estate.aws.buckets.forEach(add);
  if (which.vm) estate.azure.vms.forEach(add);
  if (which.storage) estate.azure.storageAccounts.forEach(add);
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, stringifyYaml(estate));
  return path;
}

/** GuardDuty's IAM finding on the inference host's role, as Security Hub relays it (no tags on the role). */
const roleFinding = join(dir, 'role-finding.json');
const FINDINGS = [join(SCENARIO, 'guardduty-trojan-dga.json'), join(SCENARIO, 'securityhub-s3.8-bucket-public.json'), join(SCENARIO, 'defender-vm-eicar.eventgrid.json'), join(SCENARIO, 'defender-storage-anonymous-access.json'), roleFinding];

beforeAll(() => {
  writeFileSync(
    roleFinding,
    JSON.stringify({
      SchemaVersion: '2018-10-08',
      Id: 'arn:aws:guardduty:eu-west-1:000000000000:detector/live/finding/role-anomalous',
      ProductArn: 'arn:aws:securityhub:eu-west-1::product/aws/guardduty',
      GeneratorId: 'arn:aws:guardduty:eu-west-1:000000000000:detector/live',
      AwsAccountId: ACCOUNT,
      Types: ['TTPs/Persistence/Persistence:IAMUser-AnomalousBehavior'],
      CreatedAt: '2026-03-28T12:00:00.000Z',
      UpdatedAt: '2026-03-28T12:00:00.000Z',
      Severity: { Label: 'HIGH' },
      Title: 'An API commonly used to maintain unauthorized access was invoked by the role',
      Region: 'eu-west-1',
      Resources: [{ Type: 'AwsIamRole', Id: `arn:aws:iam::${ACCOUNT}:role/${ROLE}`, Region: 'eu-west-1' }],
      RecordState: 'ACTIVE',
      Workflow: { Status: 'NEW' },
    }),
  );
});

interface Step { action: string; target: string; status: string; reason?: string; calls: string[] }
interface Incident { playbook: string | null; status: string; steps: Step[] }

async function tabletop(estate: string, extra: string[] = []): Promise<Incident[]> {
  const r = await cordon(['tabletop', '--json', '--estate', estate, ...extra, ...FINDINGS], { home: freshHome() });
  expect([0, 1], r.stderr).toContain(r.code);
  return (JSON.parse(r.stdout) as { incidents: Incident[] }).incidents;
}

const step = (incidents: Incident[], action: string): Step => {
  const found = incidents.flatMap((i) => i.steps).find((s) => s.action === action);
  expect(found, `no ${action} step`).toBeDefined();
  return found as Step;
};
const incidentOf = (incidents: Incident[], action: string): Incident => incidents.find((i) => i.steps.some((s) => s.action === action)) as Incident;

const TARGET_STEPS = ['quarantine-instance', 'snapshot-volumes', 'revoke-role-sessions', 'block-s3-public-access', 'quarantine-vm', 'block-storage-public-access'];
const MUTATING = /^(ec2:(ModifyInstanceAttribute|ModifyNetworkInterfaceAttribute|CreateSnapshots|CreateSecurityGroup|CreateTags)|iam:PutRolePolicy|s3:PutPublicAccessBlock)$|\/(write|delete)$|virtualMachines\/write|networkSecurityGroups\//;

describe('live tags: cordon:exempt on the resource, not in the finding', () => {
  it('an instance, an IAM role, a bucket, a VM and a storage account tagged exempt only in the estate are skipped as exempt, with no mutating call; twin: untagged, every one acts', async () => {
    const exempt = await tabletop(estateWith('exempt', { 'cordon:exempt': 'true' }, { instance: true, role: true, bucket: true, vm: true, storage: true }));
    for (const action of TARGET_STEPS) {
      const s = step(exempt, action);
      expect(s, action).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^exempt/) });
      expect(s.calls.filter((c) => MUTATING.test(c)), action).toEqual([]);
    }

    const twin = await tabletop(estateWith('untagged', {}, {}));
    for (const action of TARGET_STEPS) expect(step(twin, action), action).toMatchObject({ status: 'succeeded' });
  });
});

describe('live tags: cordon:approval=required on the resource', () => {
  it('containment asks a person (rejected here: nothing acts, the incident is not contained); preservation never waits', async () => {
    const incidents = await tabletop(estateWith('approval', { 'cordon:approval': 'required' }, { instance: true, role: true }), ['--approvals', 'reject']);
    for (const action of ['quarantine-instance', 'revoke-role-sessions']) {
      expect(step(incidents, action), action).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^rejected/) });
      expect(incidentOf(incidents, action).status, action).not.toBe('contained');
    }
    expect(step(incidents, 'quarantine-instance').calls).not.toContain('ec2:ModifyInstanceAttribute');
    expect(step(incidents, 'snapshot-volumes')).toMatchObject({ status: 'succeeded' });
  });

  it('approved, the step acts after the person answers', async () => {
    const incidents = await tabletop(estateWith('approval-yes', { 'cordon:approval': 'required' }, { instance: true }), ['--approvals', 'approve']);
    expect(step(incidents, 'quarantine-instance')).toMatchObject({ status: 'succeeded' });
  });
});

describe('live tags that cannot be read: fail closed', () => {
  it('IAM refuses ListRoleTags: revoke-role-sessions waits for a person (rejected: nothing acts); twin: approved, it acts', async () => {
    const estate = estateWith('plain', {}, {});
    const rejected = await tabletop(estate, ['--faults', 'iam:ListRoleTags=accessDenied', '--approvals', 'reject']);
    expect(step(rejected, 'revoke-role-sessions')).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^rejected/) });
    expect(step(rejected, 'revoke-role-sessions').calls).not.toContain('iam:PutRolePolicy');

    const approved = await tabletop(estate, ['--faults', 'iam:ListRoleTags=accessDenied', '--approvals', 'approve']);
    expect(step(approved, 'revoke-role-sessions')).toMatchObject({ status: 'succeeded' });
    expect(step(approved, 'revoke-role-sessions').calls).toContain('iam:PutRolePolicy');
  });
});
