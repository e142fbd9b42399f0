import { describe, expect, it } from 'vitest';
import { incidentId } from '../incident-id.js';
import type { Finding } from '../model.js';
import { SKIP_REASONS } from '../model.js';
import { loadPlaybooks } from '../playbooks/load.js';
import { routeFinding } from '../playbooks/match.js';
import type { Playbook } from '../playbooks/schema.js';
import { PlaybookSchema } from '../playbooks/schema.js';
import {
  STORAGE_ID,
  USER_ID,
  defenderAlert,
  finding,
  fixtureS31,
  fixtureS38,
  fixtureTrojan,
  graphAlert,
  instance,
  resource,
} from '../../../test/support/findings.js';
import { DEFAULT_SETTINGS, planIncident, planSettings } from './plan.js';
import type { PlanSettings } from './plan.js';

const playbooks = loadPlaybooks();
const byId = (id: string): Playbook => {
  const p = playbooks.find((x) => x.id === id);
  if (!p) throw new Error(`no playbook ${id}`);
  return p;
};
const NOW = new Date('2026-03-28T12:00:00Z');
const settings = (overrides: Partial<PlanSettings> = {}): PlanSettings => planSettings({ now: NOW, ...overrides });
const plan = (f: Finding, overrides: Partial<PlanSettings> = {}) => planIncident(f, routeFinding(f, playbooks), settings(overrides));
const reasons = (f: Finding, overrides: Partial<PlanSettings> = {}) => plan(f, overrides).skipped.map((s) => `${s.reason} ${s.action} ${s.target.id}`);

const INSTANCE = 'arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc1234def567890';
/** The steps aws-ec2-compromise plans on an instance, in playbook order. */
const EC2_ACTIONS = ['detach-from-autoscaling', 'quarantine-instance', 'revoke-instance-credentials', 'snapshot-volumes'];

/** GuardDuty Policy:S3/BucketAnonymousAccessGranted (High) on a bucket tagged data-classification=personal. */
const anonymousAccess = (overrides: Partial<Finding> = {}) =>
  finding({
    type: 'Policy:S3/BucketAnonymousAccessGranted',
    resources: [resource('AwsS3Bucket', 'arn:aws:s3:::customer-exports-eu', { 'data-classification': 'personal' }), resource('AwsIamUser', 'arn:aws:iam::111122223333:user/ops-admin')],
    ...overrides,
  });

describe('planIncident: an EC2 compromise', () => {
  it('contains and preserves the instance side by side, where the instance lives', () => {
    const incident = plan(finding());
    expect(incident.playbook).toBe('aws-ec2-compromise');
    const onInstance = { target: { type: 'AwsEc2Instance', id: INSTANCE }, dependsOn: [], account: '111122223333', region: 'eu-west-1', approval: false, params: {} };
    expect(incident.steps).toEqual([
      // Out of its Auto Scaling group before the isolation fails its health checks; then isolated; then its credentials.
      { id: `detach-from-autoscaling:${INSTANCE}`, action: 'detach-from-autoscaling', phase: 'contain', ...onInstance },
      { id: `quarantine-instance:${INSTANCE}`, action: 'quarantine-instance', phase: 'contain', ...onInstance },
      { id: `revoke-instance-credentials:${INSTANCE}`, action: 'revoke-instance-credentials', phase: 'contain', ...onInstance },
      // Preservation carries how to protect what it preserves: the default EBS snapshot lock.
      { id: `snapshot-volumes:${INSTANCE}`, action: 'snapshot-volumes', phase: 'preserve', ...onInstance, params: { lockMode: 'governance', lockDays: 30 } },
    ]);
    expect(incident.skipped).toEqual([]);
    expect(incident.clocks).toEqual([]);
  });

  it('adds update-finding for a Security Hub finding, after containment and preservation', () => {
    const f = finding({ source: 'securityhub', productArn: 'arn:aws:securityhub:eu-west-1::product/aws/guardduty', recordState: 'active' });
    const notify = plan(f).steps.find((s) => s.action === 'update-finding');
    expect(notify).toMatchObject({ phase: 'notify', target: { type: 'finding', id: f.id } });
    expect(notify?.dependsOn).toEqual([`detach-from-autoscaling:${INSTANCE}`, `quarantine-instance:${INSTANCE}`, `revoke-instance-credentials:${INSTANCE}`, `snapshot-volumes:${INSTANCE}`]);
  });

  it('acts where each instance is: account and region from the resource, then its ARN, then the finding', () => {
    const bare = { type: 'AwsEc2Instance', id: 'arn:aws:ec2:us-east-2:111122223333:instance/i-0feedfacecafe0001', tags: {} };
    const f = finding({ resources: [bare, { type: 'AwsEc2Instance', id: 'i-0feedfacecafe0002', tags: {} }] });
    const where = plan(f).steps.filter((s) => s.action === 'quarantine-instance').map((s) => [s.account, s.region]);
    expect(where).toEqual([
      ['111122223333', 'us-east-2'],
      ['111122223333', 'eu-west-1'],
    ]);
  });

  it('never acts on a resource in another account than the finding (an ASFF resource ARN can name any)', () => {
    const foreign = { type: 'AwsEc2Instance', id: 'arn:aws:ec2:us-east-2:444455556666:instance/i-0feedfacecafe0001', tags: {} };
    const incident = plan(finding({ resources: [foreign] }));
    expect(incident.steps).toEqual([]);
    expect(reasons(finding({ resources: [foreign] }))).toEqual(EC2_ACTIONS.map((a) => `account-scope ${a} ${foreign.id}`));
    expect(incident.skipped[0]?.detail).toBe(`${foreign.id} is in account 444455556666, not the finding's 111122223333`);
  });

  it('never repeats a step for the same action and target', () => {
    const r = instance('i-0abc1234def567890');
    const incident = plan(finding({ resources: [r, { ...r }] }));
    expect(incident.steps.map((s) => s.id)).toEqual(EC2_ACTIONS.map((a) => `${a}:${INSTANCE}`));
  });
});

describe('deterministic ids', () => {
  it('the same finding id is the same incident, whatever else changed (redelivery, count update)', () => {
    const a = plan(finding({ id: 'abc' }));
    const b = plan(finding({ id: 'abc', severity: 'critical', observedAt: '2026-04-01T00:00:00.000Z' }), { now: new Date('2026-04-01T00:00:00Z') });
    expect(a.id).toBe(b.id);
    expect(a.id).toMatch(/^inc-[0-9a-f]{16}$/);
    expect(a.steps.map((s) => s.id)).toEqual(b.steps.map((s) => s.id));
  });

  it('is sha256(source:id) (pinned with sha256sum), so another source or id is another incident', () => {
    expect(incidentId({ source: 'guardduty', id: 'abc' })).toBe('inc-bbf54cf4c89428d0');
    expect(incidentId({ source: 'securityhub', id: 'abc' })).not.toBe(incidentId({ source: 'guardduty', id: 'abc' }));
    expect(incidentId({ source: 'guardduty', id: 'abd' })).not.toBe(incidentId({ source: 'guardduty', id: 'abc' }));
  });
});

describe('skip reasons', () => {
  it('sample-finding: automatic mode skips every step of a sample, clock included', () => {
    const incident = plan(fixtureTrojan);
    expect(incident.steps).toEqual([]);
    expect(incident.skipped.map((s) => [s.reason, s.action])).toEqual(EC2_ACTIONS.map((a) => ['sample-finding', a]));
    expect(incident.skipped[0]?.detail).toMatch(/automatic mode never acts on samples/);
    const s3Sample = plan(anonymousAccess({ sample: true }));
    expect(s3Sample.steps).toEqual([]);
    expect(s3Sample.clocks).toEqual([]);
    expect(plan(anonymousAccess()).clocks).not.toEqual([]); // the twin: not a sample, the clock is planned
  });

  it('tabletop and manual modes do act on samples', () => {
    expect(plan(fixtureTrojan, { mode: 'tabletop' }).steps).toHaveLength(EC2_ACTIONS.length);
    expect(plan(fixtureTrojan, { mode: 'manual' }).steps).toHaveLength(EC2_ACTIONS.length);
  });

  it('exempt: a resource tagged cordon:exempt=true (any case) is left alone, with the tag named', () => {
    const f = finding({ resources: [instance('i-0abc1234def567890', { 'Cordon:Exempt': ' TRUE ' })] });
    const incident = plan(f);
    expect(incident.steps).toEqual([]);
    expect(incident.skipped.map((s) => [s.reason, s.action, s.detail])).toEqual(EC2_ACTIONS.map((a) => ['exempt', a, `tag cordon:exempt=true on ${INSTANCE}`]));
    expect(plan(finding({ resources: [instance('i-0abc1234def567890', { 'cordon:exempt': 'false' })] })).skipped).toEqual([]);
  });

  it('blast-radius-targets: targets beyond the cap are left for a person, on every action', () => {
    const resources = Array.from({ length: 4 }, (_, i) => instance(`i-0000000000000000${i}`));
    const f = finding({ resources });
    const incident = plan(f, { maxTargetsPerIncident: 2 });
    expect(new Set(incident.steps.map((s) => s.target.id))).toEqual(new Set([resources[0]?.id, resources[1]?.id]));
    expect(incident.skipped.map((s) => `${s.reason} ${s.action} ${s.target.id.slice(-2)}`)).toEqual(EC2_ACTIONS.flatMap((a) => [`blast-radius-targets ${a} 02`, `blast-radius-targets ${a} 03`]));
    expect(incident.skipped[0]?.detail).toMatch(/already acts on 2 targets/);
  });

  it("the playbook's own limit applies too: the stricter cap wins", () => {
    const resources = Array.from({ length: 12 }, (_, i) => instance(`i-00000000000000${String(i).padStart(2, '0')}`));
    expect(new Set(plan(finding({ resources })).steps.map((s) => s.target.id)).size).toBe(10);
    expect(new Set(plan(finding({ resources }), { maxTargetsPerIncident: 50 }).steps.map((s) => s.target.id)).size).toBe(10);
  });

  it("blast-radius-account-rate: once the account's hourly cap is reached, the rest waits", () => {
    const incident = plan(finding(), { maxActionsPerAccountPerHour: 5, actionsThisHour: { '111122223333': 3 } });
    expect(incident.steps.map((s) => s.action)).toEqual(['detach-from-autoscaling', 'quarantine-instance']);
    expect(incident.skipped.map((s) => [s.reason, s.action, s.detail])).toEqual([
      ['blast-radius-account-rate', 'revoke-instance-credentials', 'account 111122223333 reached 5 actions this hour (the cap)'],
      ['blast-radius-account-rate', 'snapshot-volumes', 'account 111122223333 reached 5 actions this hour (the cap)'],
    ]);
    expect(plan(finding(), { maxActionsPerAccountPerHour: 5, actionsThisHour: { '999999999999': 5 } }).skipped).toEqual([]);
  });

  it('S3.1 names the account: account-level Block Public Access takes it (no longer left to do by hand); the breach is assessed', () => {
    const incident = plan(fixtureS31);
    expect(incident.playbook).toBe('aws-s3-data-exposure');
    expect(incident.skipped).toEqual([]);
    expect(incident.steps.map((s) => [s.action, s.target.id])).toEqual([
      ['block-account-public-access', 'AWS::::Account:111111111111'],
      ['update-finding', fixtureS31.id],
    ]);
    expect(incident.clocks).toEqual([]);
    expect(incident.assessment).toMatchObject({ personalData: 'unknown', status: 'assessing', trigger: 'posture' });
  });

  it('instance-credential exfiltration: the source instance is isolated and only its credentials revoked, never the whole role', () => {
    const role = resource('AwsIamRole', 'arn:aws:iam::111122223333:role/app-instance-role');
    const key = resource('AwsIamAccessKey', 'ASIAXAMPLE0000000001');
    // Ingest names the instance of an `AROA…:i-…` principal (guardduty.ts).
    const f = finding({ type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS', resources: [key, role, instance('i-0abc1234def567890')] });
    const incident = plan(f);
    expect(incident.playbook).toBe('aws-iam-credential-compromise');
    expect(incident.steps.map((s) => s.id)).toEqual(['detach-from-autoscaling', 'quarantine-instance', 'revoke-instance-credentials'].map((a) => `${a}:${INSTANCE}`));
    // A temporary key cannot be deactivated: the deny on the instance ends it.
    expect(incident.skipped.map((s) => [s.reason, s.action, s.target.id])).toEqual([
      ['unsupported-target', 'revoke-user-credentials', role.id],
      ['unsupported-target', 'deactivate-access-key', key.id],
    ]);
    expect(incident.clocks).toEqual([]);
    // The twin: any other IAM finding on the role revokes the role's sessions.
    expect(plan({ ...f, type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller' }).steps.map((s) => s.action)).toContain('revoke-role-sessions');
  });

  it('an IAM user (a temporary key too) is taken by revoke-user-credentials; root credentials by the same step, which refuses with guidance', () => {
    const f = finding({ type: 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B', severity: 'medium', resources: [resource('AwsIamUser', 'arn:aws:iam::111122223333:user/alice')] });
    expect(reasons(f)).toEqual([]);
    expect(plan(f).steps.map((s) => s.action)).toEqual(['revoke-user-credentials']);
    const root = finding({
      type: 'Policy:IAMUser/RootCredentialUsage',
      severity: 'low',
      resources: [{ ...resource('AwsIamAccessKey', 'ASIAROOT000000000001'), details: { userType: 'Root' } }, resource('AwsAccount', 'AWS::::Account:111122223333')],
    });
    expect(plan(root).steps.map((s) => s.id)).toEqual(['revoke-user-credentials:AWS::::Account:111122223333']);
    expect(plan(root).skipped.map((s) => [s.action, s.detail])).toEqual([['deactivate-access-key', expect.stringMatching(/root access key/)]]);
  });

  it('Recon on an IAM principal routes to the IAM playbook from Medium up', () => {
    const recon = (severity: Finding['severity']) => finding({ type: 'Recon:IAMUser/MaliciousIPCaller', severity, resources: [resource('AwsIamUser', 'arn:aws:iam::111122223333:user/alice')] });
    expect(plan(recon('medium')).playbook).toBe('aws-iam-credential-compromise');
    expect(plan(recon('low')).playbook).toBeNull();
  });

  it('unsupported-target: a finding without the handle its notify step needs', () => {
    const f = finding({ source: 'securityhub', recordState: 'active' });
    // Without a ProductArn a Security Hub finding has no producer Cordon can vouch for either.
    expect(reasons(f)).toEqual([`untrusted snapshot-volumes ${INSTANCE}`, `unsupported-target update-finding ${f.id}`]);
    expect(plan(f).skipped[1]?.detail).toBe(`finding ${f.id} carries no productArn: there is no securityhub finding to update`);
  });

  it('covers every skip reason the planner can decide (already-done is the runner’s)', () => {
    const planned = new Set<string>();
    const asia = finding({ type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller', resources: [resource('AwsIamAccessKey', 'ASIAXAMPLE0000000001')] });
    for (const f of [fixtureTrojan, fixtureS31, asia, finding({ resources: [instance('i-0abc1234def567890', { 'cordon:exempt': 'true' })] })]) {
      for (const s of plan(f).skipped) planned.add(s.reason);
    }
    for (const s of plan(finding(), { maxActionsPerAccountPerHour: 1 }).skipped) planned.add(s.reason);
    for (const s of plan(finding({ resources: [instance('i-01'), instance('i-02')] }), { maxTargetsPerIncident: 1 }).skipped) planned.add(s.reason);
    for (const s of plan(finding(), { maxActionsPerOrgPerHour: 1 }).skipped) planned.add(s.reason);
    for (const s of plan(finding(), { paused: { reason: 'drill' } }).skipped) planned.add(s.reason);
    for (const s of plan(finding({ productArn: 'arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default' })).skipped) planned.add(s.reason);
    for (const s of plan(finding({ resources: [instance('i-01', {}, '444455556666')] })).skipped) planned.add(s.reason);
    expect([...planned].sort()).toEqual(SKIP_REASONS.filter((r) => r !== 'already-done').sort());
  });
});

describe('approval', () => {
  it('a resource tagged cordon:approval=required waits for a person; preservation and notify steps never do', () => {
    const f = finding({
      source: 'securityhub',
      productArn: 'arn:aws:securityhub:eu-west-1::product/aws/guardduty',
      resources: [instance('i-0abc1234def567890', { 'cordon:approval': 'Required' })],
    });
    // A rejected or timed-out approval must not cost the evidence (issue 13): preservation never waits.
    expect(plan(f).steps.map((s) => [s.action, s.approval])).toEqual([...EC2_ACTIONS.map((a) => [a, a !== 'snapshot-volumes']), ['update-finding', false]]);
  });

  it("a playbook's approval: required applies to every containment step, never to preservation", () => {
    const strict = { ...byId('aws-ec2-compromise'), approval: 'required' as const };
    const steps = planIncident(finding(), strict, settings()).steps.filter((s) => s.phase !== 'notify' && s.action !== 'open-clock');
    expect(steps.map((s) => [s.phase, s.approval])).toEqual([...steps.filter((s) => s.phase === 'contain').map(() => ['contain', true]), ['preserve', false]]);
  });

  it('preservation counts against the blast-radius cap on actions per account and hour', () => {
    const containing = EC2_ACTIONS.filter((a) => a !== 'snapshot-volumes');
    const incident = planIncident(finding(), byId('aws-ec2-compromise'), settings({ maxActionsPerAccountPerHour: containing.length }));
    expect(incident.steps.map((s) => s.action)).toEqual(containing);
    expect(incident.skipped).toMatchObject([{ action: 'snapshot-volumes', reason: 'blast-radius-account-rate' }]);
    // Its twin: with room for one more, preservation is planned too.
    expect(planIncident(finding(), byId('aws-ec2-compromise'), settings({ maxActionsPerAccountPerHour: containing.length + 1 })).steps.map((s) => s.action)).toEqual(EC2_ACTIONS);
  });

  it('carries the operator\'s lock and forensic copy settings on the preservation step', () => {
    const preservation = { lock: { mode: 'compliance' as const, days: 365, coolOffHours: 24 }, forensic: { account: '999988887777', kmsKeyId: 'arn:aws:kms:eu-west-1:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab' } };
    const snapshot = planIncident(finding(), byId('aws-ec2-compromise'), settings({ preservation })).steps.find((s) => s.action === 'snapshot-volumes');
    expect(snapshot?.params).toEqual({ lockMode: 'compliance', lockDays: 365, lockCoolOffHours: 24, forensicAccount: '999988887777', forensicKmsKeyId: preservation.forensic.kmsKeyId });
  });
});

describe('clocks (DESIGN.md §5)', () => {
  it('a posture finding (Security Hub S3.8 FAILED) on an unclassified bucket opens no GDPR clock, only an assessment', () => {
    const incident = plan(fixtureS38);
    expect(incident.clocks).toEqual([]);
    expect(incident.steps.map((s) => s.action)).toEqual(['block-s3-public-access', 'update-finding']);
    expect(incident.assessment).toMatchObject({ personalData: 'unknown', status: 'assessing', trigger: 'posture' });
    expect(incident.assessment?.basis).toMatch(/no classification tag .* posture finding .* assessment only/);
  });

  it('the same control on a bucket classified personal opens the clock', () => {
    const personal = plan({ ...fixtureS38, resources: [resource('AwsS3Bucket', 'arn:aws:s3:::example', { 'data-classification': 'personal' })] });
    expect(personal.clocks.map((c) => c.regime)).toEqual(['gdpr-art33']);
    expect(personal.assessment).toMatchObject({ personalData: 'yes', status: 'notifiable' });
  });

  it('GuardDuty anonymous access on a bucket classified personal opens GDPR Art. 33 at awareness (= now unless given) + 72 h, after the containment', () => {
    const incident = plan(anonymousAccess({ severity: 'medium' }));
    expect(incident.clocks).toEqual([{ regime: 'gdpr-art33', awareAt: '2026-03-28T12:00:00.000Z', deadline: '2026-03-31T12:00:00.000Z' }]);
    const clock = incident.steps.find((s) => s.action === 'open-clock');
    expect(clock).toMatchObject({
      target: { type: 'incident', id: incident.id },
      phase: 'notify',
      dependsOn: ['block-s3-public-access:arn:aws:s3:::customer-exports-eu'],
      params: { regimes: 'gdpr-art33', awareAt: '2026-03-28T12:00:00.000Z', processorNotifyHours: 24 },
    });
    expect(incident.assessment).toMatchObject({ personalData: 'yes', status: 'notifiable', trigger: 'exposure', public: true });
    const aware = plan(anonymousAccess(), { awareAt: new Date('2026-03-27T08:00:00Z') });
    expect(aware.clocks[0]?.deadline).toBe('2026-03-30T08:00:00.000Z');
  });

  it('exposure of unclassified data opens the clock while it is established; data classified not personal opens none', () => {
    const unknown = plan(anonymousAccess({ resources: [resource('AwsS3Bucket', 'arn:aws:s3:::customer-exports-eu')] }));
    expect(unknown.clocks.map((c) => c.regime)).toEqual(['gdpr-art33']);
    expect(unknown.assessment).toMatchObject({ personalData: 'unknown', status: 'assessing' });
    const internal = plan(anonymousAccess({ resources: [resource('AwsS3Bucket', 'arn:aws:s3:::customer-exports-eu', { 'Data-Classification': 'Internal' })] }));
    expect(internal.clocks).toEqual([]);
    expect(internal.assessment).toMatchObject({ personalData: 'no', status: 'assessing' });
  });

  it('Art. 34: high severity and a public exposure (or special-category data) adds the communication task', () => {
    expect(plan(anonymousAccess()).clocks.map((c) => c.regime)).toEqual(['gdpr-art33', 'gdpr-art34']);
    expect(plan(anonymousAccess({ severity: 'medium' })).clocks.map((c) => c.regime)).toEqual(['gdpr-art33']);
    const special = finding({ type: 'Exfiltration:S3/MaliciousIPCaller', resources: [resource('AwsS3Bucket', 'arn:aws:s3:::hr', { 'personal-data': 'special-category' })] });
    expect(plan(special).clocks.map((c) => c.regime)).toEqual(['gdpr-art33', 'gdpr-art34']);
    const notPublic = finding({ type: 'Exfiltration:S3/MaliciousIPCaller', resources: [resource('AwsS3Bucket', 'arn:aws:s3:::crm', { 'personal-data': 'true' })] });
    expect(plan(notPublic).clocks.map((c) => c.regime)).toEqual(['gdpr-art33']);
  });

  it('processor mode: notify the controller within 24 h (configurable) instead; no Art. 34 task (the controller decides it)', () => {
    const incident = plan(anonymousAccess(), { gdprRole: 'processor' });
    expect(incident.clocks).toEqual([{ regime: 'gdpr-art33-processor', awareAt: '2026-03-28T12:00:00.000Z', deadline: '2026-03-29T12:00:00.000Z' }]);
    expect(plan(anonymousAccess(), { gdprRole: 'processor', processorNotifyHours: 6 }).clocks[0]?.deadline).toBe('2026-03-28T18:00:00.000Z');
  });

  it('a compromised host opens the clock when it is tagged as holding personal data, and only then', () => {
    const tagged = plan(finding({ resources: [instance('i-0abc1234def567890', { 'personal-data': 'customer-records' })] }));
    expect(tagged.clocks.map((c) => c.regime)).toEqual(['gdpr-art33']);
    expect(tagged.steps.map((s) => s.action)).toEqual([...EC2_ACTIONS, 'open-clock']);
    expect(tagged.assessment).toMatchObject({ personalData: 'yes', status: 'notifiable', trigger: 'compromise' });
    const untagged = plan(finding());
    expect(untagged.clocks).toEqual([]);
    expect(untagged.steps.map((s) => s.action)).toEqual(EC2_ACTIONS);
    expect(untagged.assessment).toMatchObject({ personalData: 'unknown', status: 'assessing', trigger: 'compromise' });
    expect(plan(finding({ resources: [instance('i-0abc1234def567890', { 'personal-data': 'none' })] })).clocks).toEqual([]);
  });

  it('NIS2 follows significant incidents: a compromised host opens the Art. 23 clocks, personal data or not', () => {
    expect(plan(finding(), { nis2: true }).clocks.map((c) => c.regime)).toEqual(['nis2-early-warning', 'nis2-notification', 'nis2-final']);
    expect(plan(anonymousAccess(), { nis2: true }).clocks.map((c) => c.regime)).toEqual(['gdpr-art33', 'gdpr-art34', 'nis2-early-warning', 'nis2-notification', 'nis2-final']);
    // A failed control is not a significant incident.
    expect(plan(fixtureS38, { nis2: true }).clocks).toEqual([]);
    // The rule is configurable: an entity that counts only exposures, from medium up.
    expect(plan(finding(), { nis2: true, nis2Significance: { triggers: ['exposure'], minSeverity: 'medium' } }).clocks).toEqual([]);
    expect(plan(anonymousAccess({ severity: 'low' }), { nis2: true, nis2Significance: { triggers: ['exposure'], minSeverity: 'medium' } }).clocks.map((c) => c.regime)).toEqual(['gdpr-art33']);
  });

  it('the NIS2 final report is due one month after the notification deadline until the submission is recorded', () => {
    const final = plan(finding(), { nis2: true }).clocks.find((c) => c.regime === 'nis2-final');
    expect(final?.deadline).toBe('2026-04-30T12:00:00.000Z'); // 28 Mar + 72 h = 31 Mar, + 1 month = 30 Apr (end-of-month rule)
  });

  it('IAM: exfiltration opens the clock; another compromise only when the identity is classified personal', () => {
    const key = resource('AwsIamAccessKey', 'AKIAIOSFODNN7EXAMPLE');
    const exfil = plan(finding({ type: 'Exfiltration:IAMUser/AnomalousBehavior', resources: [key] }));
    expect(exfil.steps.map((s) => s.action)).toEqual(['deactivate-access-key', 'open-clock']);
    expect(exfil.clocks).toHaveLength(1);
    expect(plan(finding({ type: 'Persistence:IAMUser/AnomalousBehavior', resources: [key] })).clocks).toEqual([]);
    const hr = resource('AwsIamAccessKey', 'AKIAIOSFODNN7EXAMPLE', { 'data-classification': 'personal' });
    expect(plan(finding({ type: 'Persistence:IAMUser/AnomalousBehavior', resources: [hr] })).clocks.map((c) => c.regime)).toEqual(['gdpr-art33']);
  });

  it('identity: revoke sessions; the clock when data was taken', () => {
    const taken = plan(graphAlert({ type: 'Exfiltration' }));
    expect(taken.steps.map((s) => [s.action, s.target.id])).toEqual([
      ['revoke-user-sessions', USER_ID],
      ['open-clock', taken.id],
    ]);
    expect(plan(graphAlert()).steps.map((s) => s.action)).toEqual(['revoke-user-sessions']);
  });

  it('classification keys are configurable', () => {
    const tagged = finding({ resources: [instance('i-0abc1234def567890', { 'acme:pii': 'yes' })] });
    expect(plan(tagged).clocks).toEqual([]);
    const classification = { classKeys: ['confidentiality'], personalClasses: ['pii'], specialClasses: [], flagKeys: ['acme:pii'] };
    expect(plan(tagged, { classification }).clocks.map((c) => c.regime)).toEqual(['gdpr-art33']);
  });
});

describe('azure', () => {
  it('VM: quarantine and snapshot in the subscription of the VM, then update the alert', () => {
    const incident = plan(defenderAlert());
    expect(incident.steps.map((s) => [s.action, s.phase, s.account, s.dependsOn.length])).toEqual([
      ['quarantine-vm', 'contain', '20ff7fc3-e762-44dd-bd96-b71116dcdc23', 0],
      ['snapshot-disks', 'preserve', '20ff7fc3-e762-44dd-bd96-b71116dcdc23', 0],
      ['update-alert', 'notify', '20ff7fc3-e762-44dd-bd96-b71116dcdc23', 2],
    ]);
  });

  it('storage: block public access, update the alert, open the clock', () => {
    const storage = [{ type: 'Microsoft.Storage/storageAccounts', id: STORAGE_ID, tags: {} }];
    const incident = plan(defenderAlert({ type: 'Storage.Blob_AnonymousAccessAnomaly', resources: storage }));
    expect(incident.steps.map((s) => s.action)).toEqual(['block-storage-public-access', 'update-alert', 'open-clock']);
    expect(incident.clocks.map((c) => c.regime)).toEqual(['gdpr-art33']);
  });
});

describe('no playbook', () => {
  it('is an incident with nothing to do, still with its deterministic id', () => {
    const f = finding({ type: 'Recon:EC2/PortProbeUnprotectedPort' });
    expect(plan(f)).toEqual({ id: incidentId(f), finding: f, trust: { trusted: true, reason: 'first-party producer aws/guardduty' }, playbook: null, steps: [], skipped: [], clocks: [], assessment: expect.objectContaining({ status: 'assessing' }) });
  });
});

describe('inline playbooks', () => {
  it('a step can narrow its targets, and can override its phase', () => {
    const p = PlaybookSchema.parse({
      id: 'narrow',
      title: 'n',
      description: 'n',
      cloud: 'aws',
      match: { source: ['guardduty'] },
      steps: [{ action: 'snapshot-volumes', phase: 'contain', params: { copyTags: true } }],
    });
    expect(planIncident(finding(), p, settings()).steps[0]).toMatchObject({ phase: 'contain', params: { copyTags: true } });
  });

  it('DEFAULT_SETTINGS is automatic, outside NIS2, with an hourly account cap', () => {
    expect(DEFAULT_SETTINGS).toMatchObject({ mode: 'automatic', nis2: false, maxActionsPerAccountPerHour: 50, gdprRole: 'controller', processorNotifyHours: 24 });
  });
});
