import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cordon } from '../cli/harness.js';
import { ingestValue } from '../../functions/core/findings/ingest.js';
import { openLocalRecords } from '../../functions/engine/runtime.js';
import { intake } from '../../functions/handlers/intake.js';
import { planIncident, planSettings } from '../../functions/core/plan/plan.js';
import { loadOperatorSettings } from '../../functions/config/settings.js';
import { freshHome, removeHomes, ROUTER } from './engine-harness.js';

/**
 * Issue 11 (DESIGN.md §4), tried as an attacker would: findings an attacker can write reach
 * `cordon plan` and `cordon tabletop` through the real ingest, trust, route and plan. None acts;
 * each is planned with its reason and escalated where §4 says so. Every case has a twin — the same
 * finding with the protection's condition removed — that does act, so the check cannot pass by
 * Cordon doing nothing at all.
 */
afterAll(removeHomes);

const ACCOUNT = '111122223333';
const INSTANCE = (account = ACCOUNT) => `arn:aws:ec2:eu-west-1:${account}:instance/i-0badc0ffee0000001`;
const AWS_GUARDDUTY = 'arn:aws:securityhub:eu-west-1::product/aws/guardduty';
const CUSTOM = `arn:aws:securityhub:eu-west-1:${ACCOUNT}:product/${ACCOUNT}/default`;

/** An ASFF finding as `securityhub:BatchImportFindings` accepts it from anyone with that permission. */
function asff(o: { productArn: string; account?: string; resource?: string; productName?: string; companyName?: string; id?: string }) {
  return {
    SchemaVersion: '2018-10-08',
    Id: o.id ?? `forged-${Math.random().toString(16).slice(2)}`,
    ProductArn: o.productArn,
    ...(o.productName ? { ProductName: o.productName } : {}),
    ...(o.companyName ? { CompanyName: o.companyName } : {}),
    GeneratorId: 'runtime',
    AwsAccountId: o.account ?? ACCOUNT,
    Types: ['TTPs/Execution/Execution:Runtime/NewBinaryExecuted'],
    CreatedAt: '2026-03-28T12:00:00.000Z',
    UpdatedAt: '2026-03-28T12:00:00.000Z',
    Severity: { Label: 'HIGH' },
    Title: 'A newly created or recently modified binary was executed',
    Region: 'eu-west-1',
    Resources: [{ Type: 'AwsEc2Instance', Id: o.resource ?? INSTANCE(), Region: 'eu-west-1' }],
    RecordState: 'ACTIVE',
    Workflow: { Status: 'NEW' },
  };
}

const dir = freshHome();
function file(name: string, doc: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

interface Step { action: string; target: string; status: string; reason?: string; calls: string[] }
interface Incident {
  trust: { trusted: boolean; reason: string };
  finding: { producer: string };
  steps: Step[];
  skipped: { action: string; reason: string; detail: string }[];
  status?: string;
  escalated?: boolean;
}

async function plan(path: string, env: Record<string, string> = {}): Promise<Incident> {
  const r = await cordon(['plan', '--json', path], { env });
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { incidents: Incident[] }).incidents[0] as Incident;
}

async function tabletop(path: string, env: Record<string, string> = {}, extra: string[] = []): Promise<Incident> {
  const r = await cordon(['tabletop', '--json', ...extra, path], { env });
  expect([0, 1], r.stderr).toContain(r.code);
  return (JSON.parse(r.stdout) as { incidents: Incident[] }).incidents[0] as Incident;
}

/** The EC2 playbook's steps on an instance (playbooks/aws-ec2-compromise.yaml), and those that contain. */
const EC2_STEPS = ['detach-from-autoscaling', 'quarantine-instance', 'revoke-instance-credentials', 'snapshot-volumes'];
const CONTAIN_EC2 = EC2_STEPS.filter((a) => a !== 'snapshot-volumes');

const MUTATING = /^ec2:(ModifyInstanceAttribute|ModifyNetworkInterfaceAttribute|CreateSnapshots|CreateSecurityGroup|CreateTags)|^iam:Put/;
// (Marking a trusted finding NOTIFIED in its own account is not acting on a resource.)
const mutatingCalls = (i: Incident) => i.steps.flatMap((s) => s.calls).filter((c) => MUTATING.test(c));
const skippedAs = (i: Incident) => i.skipped.map((s) => `${s.action}:${s.reason}`);

describe('forged Security Hub findings', () => {
  it("a finding imported under the account's own product is planned untrusted; in a tabletop nothing acts", async () => {
    const forged = file('custom.json', asff({ productArn: CUSTOM }));
    const planned = await plan(forged);
    expect(planned.trust.trusted).toBe(false);
    expect(planned.finding.producer).toBe(CUSTOM);
    // Planned and routed to a person, never dropped: containment waits, preservation and write-back never run.
    expect(planned.steps.map((s) => s.action)).toEqual(CONTAIN_EC2);
    expect(skippedAs(planned)).toEqual(['snapshot-volumes:untrusted', 'update-finding:untrusted']);

    const run = await tabletop(forged);
    expect(mutatingCalls(run)).toEqual([]);
    expect(skippedAs(run)).toContain('quarantine-instance:untrusted');
    expect(run.status).not.toBe('contained');
    expect(run.escalated).toBe(true);
  });

  it('ProductName "GuardDuty" and CompanyName "Amazon" set by the importer are not evidence', async () => {
    const forged = file('impersonation.json', asff({ productArn: CUSTOM, productName: 'GuardDuty', companyName: 'Amazon' }));
    const run = await tabletop(forged);
    expect(run.trust).toMatchObject({ trusted: false, reason: expect.stringMatching(/not AWS-owned/) });
    expect(mutatingCalls(run)).toEqual([]);
  });

  it('twin: the same finding from the AWS-owned GuardDuty product is contained', async () => {
    const genuine = file('genuine.json', asff({ productArn: AWS_GUARDDUTY, productName: 'GuardDuty' }));
    const run = await tabletop(genuine);
    expect(run.trust.trusted).toBe(true);
    expect(run.steps.find((s) => s.action === 'quarantine-instance')).toMatchObject({ status: 'succeeded' });
    expect(mutatingCalls(run)).toContain('ec2:ModifyInstanceAttribute');
  });

  it('--approvals person: an untrusted finding waits for a person instead of being skipped', async () => {
    const forged = file('custom-person.json', asff({ productArn: CUSTOM }));
    const r = await cordon(['plan', '--json', '--mode', 'tabletop', forged]);
    const planned = (JSON.parse(r.stdout) as { incidents: Incident[] }).incidents[0] as Incident;
    // What the tabletop plans with a person answering: the containment step is kept, behind approval.
    expect(planned.steps.map((s) => s.action)).toEqual(CONTAIN_EC2);
  });
});

describe('account scope', () => {
  it('a resource ARN in another account is skipped (account-scope) and the incident escalated', async () => {
    const cross = file('cross-account.json', asff({ productArn: AWS_GUARDDUTY, resource: INSTANCE('444455556666') }));
    const run = await tabletop(cross);
    expect(skippedAs(run)).toEqual(EC2_STEPS.map((a) => `${a}:account-scope`));
    expect(run.skipped[0]?.detail).toMatch(/in account 444455556666, not the finding's 111122223333/);
    expect(mutatingCalls(run)).toEqual([]);
    expect(run.escalated).toBe(true);
  });

  it("an ARN naming Cordon's own account is never acted on; twin: any other account is", async () => {
    const own = '999988887777';
    const forged = file('own-account.json', asff({ productArn: AWS_GUARDDUTY, account: own, resource: INSTANCE(own) }));
    const run = await tabletop(forged, { CORDON_OWN_ACCOUNT: own });
    expect(skippedAs(run)).toContain('quarantine-instance:account-scope');
    expect(run.skipped[0]?.detail).toMatch(/Cordon's own security account/);
    expect(mutatingCalls(run)).toEqual([]);
    const twin = await tabletop(forged, { CORDON_OWN_ACCOUNT: '555566667777' });
    expect(mutatingCalls(twin)).toContain('ec2:ModifyInstanceAttribute');
  });

  it('a finding whose "account" is not 12 digits acts nowhere', async () => {
    const forged = file('bad-account.json', asff({ productArn: AWS_GUARDDUTY, account: 'cordon', resource: 'i-0badc0ffee0000001' }));
    const run = await tabletop(forged);
    expect(skippedAs(run)).toContain('quarantine-instance:account-scope');
    expect(mutatingCalls(run)).toEqual([]);
  });

  it('CORDON_ACCOUNTS limits where Cordon acts; twin: the account on the list is acted in', async () => {
    const f = file('listed.json', asff({ productArn: AWS_GUARDDUTY }));
    const off = await tabletop(f, { CORDON_ACCOUNTS: '444455556666' });
    expect(skippedAs(off)).toContain('quarantine-instance:account-scope');
    expect(mutatingCalls(off)).toEqual([]);
    const on = await tabletop(f, { CORDON_ACCOUNTS: `444455556666,${ACCOUNT}` });
    expect(mutatingCalls(on)).toContain('ec2:ModifyInstanceAttribute');
  });
});

describe('CLI inputs are regular files, refused fast otherwise', () => {
  const inputs = join(dir, 'inputs');
  mkdirSync(inputs, { recursive: true });

  it.each([
    ['a directory', () => inputs, /is a directory/],
    ['a symlink to /dev/zero', () => {
      const link = join(inputs, 'zero.json');
      symlinkSync('/dev/zero', link);
      return link;
    }, /is a character device/],
    ['a FIFO with no writer', () => {
      const fifo = join(inputs, 'pipe.json');
      execFileSync('mkfifo', [fifo]);
      return fifo;
    }, /is a FIFO/],
  ])('%s: exit 2 with one line naming the file', async (_kind, make, reason) => {
    const path = make();
    const r = await cordon(['plan', '--json', path]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(reason)]);
    expect(r.stderr).toContain(path);
  });
});

describe('kill switch', () => {
  it('cordon pause: the next tabletop records every incident as paused with no mutating call; cordon resume restores action', async () => {
    const home = freshHome();
    const f = file('pause.json', asff({ productArn: AWS_GUARDDUTY, id: 'pause-1' }));
    const paused = await cordon(['pause', '--reason', 'change freeze'], { home });
    expect(paused.code, paused.stderr).toBe(0);
    const r = await cordon(['tabletop', '--json', f], { home });
    const during = (JSON.parse(r.stdout) as { incidents: Incident[] }).incidents[0] as Incident;
    expect(skippedAs(during)).toEqual([...EC2_STEPS, 'update-finding'].map((a) => `${a}:paused`));
    expect(during.skipped[0]?.detail).toMatch(/change freeze \(by os:/);
    expect(mutatingCalls(during)).toEqual([]);
    expect(during.status).not.toBe('contained');

    expect((await cordon(['resume'], { home })).code).toBe(0);
    const after = (JSON.parse((await cordon(['tabletop', '--json', f], { home })).stdout) as { incidents: Incident[] }).incidents[0] as Incident;
    expect(mutatingCalls(after)).toContain('ec2:ModifyInstanceAttribute');
    // Both switches are audited in the home's chain, with who flipped them.
    const audit = readFileSync(join(home, 'audit.jsonl'), 'utf8');
    expect(audit).toMatch(/"event":"cordon.paused"/);
    expect(audit).toMatch(/"by":"os:/);
    expect(audit).toMatch(/"event":"cordon.resumed"/);
  });
});

describe('blast radius under concurrency', () => {
  it('60 simultaneous intakes against a per-account cap of 50: exactly 50 actions are reserved, the rest planned as blast-radius; twin: the plan by itself would let all of them act', async () => {
    const records = openLocalRecords(freshHome());
    let started = 0;
    const deps = {
      store: records.store,
      audit: records.audit,
      evidence: records.evidence,
      router: ROUTER,
      start: async () => {
        started += 1;
        return { status: 'started' as const, executionArn: `arn:aws:states:eu-west-1:${ACCOUNT}:execution:x:${started}` };
      },
      now: () => new Date('2026-03-28T12:00:00Z'),
      settings: { ...loadOperatorSettings({}), maxActionsPerAccountPerHour: 50, maxActionsPerOrgPerHour: 1000 },
    };
    // Four acting steps per finding (the EC2 playbook's instance steps): 240 wanted, 50 reserved.
    const findings = Array.from({ length: 60 }, (_, i) => ingestValue(asff({ productArn: AWS_GUARDDUTY, id: `burst-${i}`, resource: `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/i-0b${String(i).padStart(15, '0')}` }), `burst-${i}`));
    // The plan alone would allow every one of them: each intake sees the same count (0) before any reserves.
    const outcomes = await Promise.all(findings.map((r) => intake(r, {}, deps)));
    const incidents = await Promise.all(outcomes.flatMap((o) => o.incidents).map((i) => records.store.getIncident(i.incidentId)));
    const acting = incidents.flatMap((i) => i?.incident.steps ?? []).filter((s) => s.phase !== 'notify');
    expect(acting).toHaveLength(50);
    expect(await records.store.countActions(ACCOUNT, '2026-03-28T12:00:00Z')).toBe(50);
    const capped = incidents.flatMap((i) => i?.incident.skipped ?? []).filter((s) => s.reason === 'blast-radius-account-rate');
    expect(capped).toHaveLength(60 * EC2_STEPS.length - 50);
    // Twin: what each intake planned before it reserved — the plan's count alone lets all 60 act (120 steps).
    const unreserved = findings.map((r) => planIncident(r.findings[0]!.finding, ROUTER(r.findings[0]!.finding), planSettings({ now: new Date('2026-03-28T12:00:00Z'), actionsThisHour: { [ACCOUNT]: 0 } })));
    expect(unreserved.flatMap((i) => i.steps).filter((s) => s.phase !== 'notify')).toHaveLength(60 * EC2_STEPS.length);
    await records.close();
  });
});
