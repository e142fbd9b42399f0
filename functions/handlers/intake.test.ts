import { afterAll, describe, expect, it } from 'vitest';
import { ingestValue } from '../core/findings/ingest.js';
import { loadOperatorSettings } from '../config/settings.js';
import { openLocalRecords } from '../engine/runtime.js';
import { intake, type IntakeDeps } from './intake.js';
import { freshHome, removeHomes, ROUTER } from '../../test/reliability/engine-harness.js';

/**
 * The cloud intake plans under the operator's settings read from the host's environment (the
 * Lambda and the Function App call loadOperatorSettings(process.env)): the same GDPR role, data
 * classification and allowed accounts a tabletop of that configuration plans under.
 */
afterAll(removeHomes);

const ACCOUNT = '111122223333';
const compromisedPersonalHost = (id: string) =>
  ingestValue(
    {
      SchemaVersion: '2018-10-08',
      Id: id,
      ProductArn: 'arn:aws:securityhub:eu-west-1::product/aws/guardduty',
      GeneratorId: 'guardduty',
      AwsAccountId: ACCOUNT,
      Types: ['TTPs/Command and Control/Backdoor:EC2-C&CActivity.B'],
      CreatedAt: '2026-03-28T12:00:00.000Z',
      UpdatedAt: '2026-03-28T12:00:00.000Z',
      Severity: { Label: 'HIGH' },
      Title: 'EC2 instance is querying a command and control server',
      Region: 'eu-west-1',
      Resources: [{ Type: 'AwsEc2Instance', Id: `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/i-0c0ffee000000001`, Region: 'eu-west-1', Tags: { 'hr-data': 'personal' } }],
      RecordState: 'ACTIVE',
      Workflow: { Status: 'NEW' },
    },
    id,
  );

async function planned(env: Record<string, string>, id: string) {
  const records = openLocalRecords(freshHome());
  const deps: IntakeDeps = {
    ...records,
    router: ROUTER,
    start: async () => ({ status: 'started', executionArn: `arn:aws:states:eu-west-1:${ACCOUNT}:execution:x:${id}` }),
    now: () => new Date('2026-03-28T12:00:00Z'),
    settings: loadOperatorSettings(env),
  };
  const out = await intake(compromisedPersonalHost(id), {}, deps);
  const incident = (await records.store.getIncident(out.incidents[0]!.incidentId))!.incident;
  await records.close();
  return incident;
}

describe('cloud intake under the operator settings', () => {
  it('a processor with its own classification key opens the notify-the-controller clock; twin: default settings see unclassified data and open none', async () => {
    const processor = await planned({ CORDON_GDPR_ROLE: 'processor', CORDON_CLASSIFICATION_KEYS: 'hr-data' }, 'intake-processor');
    expect(processor.assessment).toMatchObject({ personalData: 'yes' });
    expect(processor.clocks.map((c) => c.regime)).toContain('gdpr-art33-processor');
    const defaults = await planned({}, 'intake-defaults');
    expect(defaults.clocks.map((c) => c.regime)).not.toContain('gdpr-art33-processor');
  });

  it('CORDON_ACCOUNTS from the environment keeps the intake out of other accounts; twin: the finding’s own account acts', async () => {
    const elsewhere = await planned({ CORDON_ACCOUNTS: '444455556666' }, 'intake-elsewhere');
    expect(elsewhere.steps.filter((s) => s.phase === 'contain')).toEqual([]);
    expect(elsewhere.skipped.map((s) => s.reason)).toContain('account-scope');
    const own = await planned({ CORDON_ACCOUNTS: ACCOUNT }, 'intake-own');
    expect(own.steps.filter((s) => s.phase === 'contain').length).toBeGreaterThan(0);
  });

  it('a bad setting is an input error naming the variable', () => {
    expect(() => loadOperatorSettings({ CORDON_GDPR_ROLE: 'owner' })).toThrow(/CORDON_GDPR_ROLE/);
  });
});
