import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { incidentId } from '../incident-id.js';
import { loadPlaybooks } from '../playbooks/load.js';
import type { Playbook } from '../playbooks/schema.js';
import { STORAGE_ID, USER_ID, VM_ID } from '../../../test/support/findings.js';
import { inferTargets, planManualRun, resolveManualTarget } from './manual.js';
import { planSettings } from './plan.js';

const playbooks = loadPlaybooks();
const byId = (id: string): Playbook => {
  const p = playbooks.find((x) => x.id === id);
  if (!p) throw new Error(`no playbook ${id}`);
  return p;
};
const settings = { ...planSettings({ now: new Date('2026-03-28T12:00:00Z') }), mode: 'manual' as const };

describe('inferTargets', () => {
  it.each([
    ['i-0abc1234def567890', 'AwsEc2Instance', 'i-0abc1234def567890'],
    ['i-99999999', 'AwsEc2Instance', 'i-99999999'],
    ['arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc1234def567890', 'AwsEc2Instance', 'arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc1234def567890'],
    ['arn:aws:iam::111122223333:role/app/web-role', 'AwsIamRole', 'arn:aws:iam::111122223333:role/app/web-role'],
    ['arn:aws:iam::111122223333:user/alice', 'AwsIamUser', 'arn:aws:iam::111122223333:user/alice'],
    ['AKIAIOSFODNN7EXAMPLE', 'AwsIamAccessKey', 'AKIAIOSFODNN7EXAMPLE'],
    ['ASIAIOSFODNN7EXAMPLE', 'AwsIamAccessKey', 'ASIAIOSFODNN7EXAMPLE'],
    ['arn:aws:s3:::customer-exports', 'AwsS3Bucket', 'arn:aws:s3:::customer-exports'],
    ['customer-exports', 'AwsS3Bucket', 'arn:aws:s3:::customer-exports'],
    [VM_ID, 'Microsoft.Compute/virtualMachines', VM_ID],
    [VM_ID.replace('Microsoft.Compute', 'microsoft.compute'), 'Microsoft.Compute/virtualMachines', VM_ID.replace('Microsoft.Compute', 'microsoft.compute')],
    [STORAGE_ID, 'Microsoft.Storage/storageAccounts', STORAGE_ID],
    ['alice@contoso.com', 'Microsoft.Graph/users', 'alice@contoso.com'],
  ])('%s → %s', (raw, type, id) => {
    expect(inferTargets(raw)[0]).toEqual({ type, id });
  });

  it('reads a GUID as an Entra user first (it is also a valid bucket name)', () => {
    expect(inferTargets(USER_ID).map((t) => t.type)).toEqual(['Microsoft.Graph/users', 'AwsS3Bucket']);
  });

  it('recognises nothing in an id of no known kind', () => {
    expect(inferTargets('Not A Target!')).toEqual([]);
    expect(inferTargets('192.168.0.1')).toEqual([]);
  });
});

describe('resolveManualTarget', () => {
  it('picks the reading the playbook can act on', () => {
    expect(resolveManualTarget(byId('azure-identity-compromise'), USER_ID).type).toBe('Microsoft.Graph/users');
    expect(resolveManualTarget(byId('aws-s3-data-exposure'), USER_ID)).toEqual({ type: 'AwsS3Bucket', id: `arn:aws:s3:::${USER_ID}` });
  });

  it('rejects a target the playbook cannot act on, naming --target, the type and what the playbook takes', () => {
    expect(() => resolveManualTarget(byId('aws-ec2-compromise'), 'arn:aws:s3:::customer-exports')).toThrow(
      new InputError('--target', '', "'arn:aws:s3:::customer-exports' is AwsS3Bucket; aws-ec2-compromise acts on AwsEc2Instance"),
    );
  });

  it('rejects an unrecognisable id, listing the kinds it understands', () => {
    try {
      resolveManualTarget(byId('aws-iam-credential-compromise'), 'Not A Target!');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).message).toMatch(/^--target: 'Not A Target!' is not a target id Cordon recognises \(an EC2 instance id or ARN/);
      expect((e as InputError).message).toMatch(/aws-iam-credential-compromise acts on AwsEc2Instance, AwsIamRole, AwsIamUser, AwsAccount, AwsIamAccessKey$/);
    }
  });
});

describe('planManualRun', () => {
  it('plans the playbook on a synthetic finding that is the same incident on every re-run', () => {
    const arn = 'arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc1234def567890';
    const incident = planManualRun(byId('aws-ec2-compromise'), arn, settings);
    expect(incident.finding).toMatchObject({
      id: `manual:aws-ec2-compromise:${arn}`,
      source: 'guardduty',
      cloud: 'aws',
      account: '111122223333',
      region: 'eu-west-1',
      sample: false,
      resources: [{ type: 'AwsEc2Instance', id: arn, tags: {}, account: '111122223333', region: 'eu-west-1' }],
    });
    expect(incident.id).toBe(incidentId({ source: 'guardduty', id: `manual:aws-ec2-compromise:${arn}` }));
    expect(planManualRun(byId('aws-ec2-compromise'), arn, settings).id).toBe(incident.id);
    expect(incident.steps.map((s) => [s.id, s.account, s.region])).toEqual(
      ['detach-from-autoscaling', 'quarantine-instance', 'revoke-instance-credentials', 'snapshot-volumes'].map((a) => [`${a}:${arn}`, '111122223333', 'eu-west-1']),
    );
  });

  it('takes account and region from the command line for a bare id', () => {
    const incident = planManualRun(byId('aws-ec2-compromise'), 'i-0abc1234def567890', { ...settings, account: '444455556666', region: 'us-east-2' });
    expect(incident.steps[0]).toMatchObject({ account: '444455556666', region: 'us-east-2', target: { id: 'i-0abc1234def567890' } });
  });

  it('a bucket name runs the S3 playbook on its ARN: the person says it is exposed, so the GDPR clock opens (the data is unclassified)', () => {
    const incident = planManualRun(byId('aws-s3-data-exposure'), 'customer-exports', { ...settings, account: '111122223333' });
    expect(incident.steps.map((s) => s.id)).toEqual(['block-s3-public-access:arn:aws:s3:::customer-exports', `open-clock:${incident.id}`]);
    expect(incident.clocks.map((c) => c.regime)).toEqual(['gdpr-art33']);
    expect(incident.assessment).toMatchObject({ status: 'assessing', personalData: 'unknown', trigger: 'exposure' });
  });

  it('a manual run of a compromise playbook opens no GDPR clock on an unclassified host (its live tags are not read at plan time)', () => {
    const incident = planManualRun(byId('aws-ec2-compromise'), 'i-0abc1234def567890', settings);
    expect(incident.clocks).toEqual([]);
    expect(incident.assessment).toMatchObject({ trigger: 'compromise', status: 'assessing' });
  });

  it('a bucket name without --account acts nowhere: the account is unknown, so it cannot be checked against the allowed list', () => {
    const incident = planManualRun(byId('aws-s3-data-exposure'), 'customer-exports', settings);
    expect(incident.skipped.map((s) => [s.reason, s.action])).toEqual([['account-scope', 'block-s3-public-access']]);
    expect(incident.skipped[0]?.detail).toMatch(/not a 12-digit AWS account id/);
  });

  it('Azure: a VM id runs on the defender source; update-alert is skipped, there is no alert', () => {
    const incident = planManualRun(byId('azure-vm-compromise'), VM_ID, settings);
    expect(incident.finding.source).toBe('defender');
    expect(incident.steps.map((s) => [s.action, s.account])).toEqual([
      ['quarantine-vm', '20ff7fc3-e762-44dd-bd96-b71116dcdc23'],
      ['snapshot-disks', '20ff7fc3-e762-44dd-bd96-b71116dcdc23'],
    ]);
    expect(incident.skipped.map((s) => [s.reason, s.action])).toEqual([['unsupported-target', 'update-alert']]);
  });

  it('an access key runs the IAM playbook on the key alone', () => {
    const incident = planManualRun(byId('aws-iam-credential-compromise'), 'AKIAIOSFODNN7EXAMPLE', { ...settings, account: '111122223333' });
    expect(incident.steps.map((s) => s.id)).toEqual(['deactivate-access-key:AKIAIOSFODNN7EXAMPLE']);
    expect(incident.skipped).toEqual([]);
  });
});
