import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../model.js';
import { MAX_EVENT_BYTES, type IngestResult, ingestText, ingestValue, normalizeGraphAlert } from './ingest.js';
import { canonicalJson, sha256Hex } from '../canonical-json.js';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const publicDir = resolve(repo, 'test/fixtures/public');
const ownDir = resolve(repo, 'test/fixtures');
const load = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
const clone = <T>(v: T): T => structuredClone(v);

const gdEnvelope = () => load(`${publicDir}/guardduty/sample-UnauthorizedAccess.EC2-SSHBruteForce.eventbridge.json`);
const gdBare = () => load(`${publicDir}/guardduty/sample-Trojan.EC2-DGADomainRequest.B.bare.json`);
const asff = () => load(`${publicDir}/securityhub/asr-simdata-afsbp-s3.8.json`);
const asffEnvelope = () => load(`${publicDir}/securityhub/asr-simdata-cis23.json`);
const defenderAlert = () => load(`${ownDir}/defender/alert-subscription-location.json`);
const graphAlert = () => load(`${ownDir}/graph/alert-get.json`);

function only(result: IngestResult): Finding {
  expect(result.rejected).toEqual([]);
  expect(result.findings).toHaveLength(1);
  return (result.findings[0] as IngestResult['findings'][number]).finding;
}
const reasons = (result: IngestResult) => result.rejected.map((r) => r.reason);
const ingest = (value: unknown) => ingestText(JSON.stringify(value), 'event.json');

/** The GuardDuty API/CLI spelling of a finding: every key PascalCase, additionalInfo as `{Type, Value}`. */
function pascalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pascalize);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), pascalize(v)]),
  );
}

describe('GuardDuty', () => {
  it('reads the EventBridge envelope and keeps the envelope as raw, hashed canonically', () => {
    const event = gdEnvelope();
    const result = ingestText(JSON.stringify(event, null, 2), 'gd.json');
    const f = only(result);
    expect(f).toMatchObject({
      id: '2ab35569068ee10579b5abdbe10e679f',
      source: 'guardduty',
      cloud: 'aws',
      account: '957132980467',
      region: 'us-west-2',
      observedAt: '2018-11-02T21:34:15.262Z',
      recordState: 'active',
      sample: true,
    });
    expect(f.resources[0]).toMatchObject({
      type: 'AwsEc2Instance',
      id: 'arn:aws:ec2:us-west-2:957132980467:instance/i-99999999',
      tags: { GeneratedFindingInstaceTag1: 'GeneratedFindingInstaceValue1' },
      details: { instanceId: 'i-99999999', vpcId: 'GeneratedFindingVPCId', subnetId: 'GeneratedFindingSubnetId' },
    });
    expect(result.findings[0]?.raw).toEqual(event);
    expect(result.findings[0]?.rawSha256).toBe(sha256Hex(canonicalJson(event)));
    expect(result.findings[0]?.origin).toBe('gd.json');
  });

  it('hashes the same event the same way whatever its key order or whitespace', () => {
    const event = gdBare();
    const reordered = Object.fromEntries(Object.entries(event).reverse());
    const a = ingestText(JSON.stringify(event), 'a').findings[0]?.rawSha256;
    const b = ingestText(JSON.stringify(reordered, null, 4), 'b').findings[0]?.rawSha256;
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).toBe(b);
  });

  it('reads the API/CLI {"Findings": [...]} PascalCase shape, including the JSON-string AdditionalInfo', () => {
    const gd = gdBare();
    const pascal = pascalize(gd) as Record<string, Record<string, unknown>>;
    (pascal['Service'] as Record<string, unknown>)['AdditionalInfo'] = { Type: 'default', Value: '{"sample":true}' };
    const f = only(ingest({ Findings: [pascal] }));
    expect(f).toMatchObject({ id: gd['id'], type: 'Trojan:EC2/DGADomainRequest.B', severity: 'high', sample: true });
    expect(f.resources.map((r) => r.type)).toEqual(['AwsEc2Instance']);
  });

  it('names the PascalCase field when the API shape misses one', () => {
    const pascal = pascalize(gdBare()) as Record<string, unknown>;
    delete pascal['Severity'];
    expect(reasons(ingest({ Findings: [pascal] }))).toEqual(['Findings[0].Severity: required']);
  });

  it('maps severity by the documented bands, critical included', () => {
    const severityOf = (n: number) => {
      const gd = gdBare();
      gd['severity'] = n;
      return only(ingest(gd)).severity;
    };
    expect([1, 3.9, 4, 6.9, 7, 8.9, 9, 10].map(severityOf)).toEqual([
      'low', 'low', 'medium', 'medium', 'high', 'high', 'critical', 'critical',
    ]);
  });

  it('flags sample only when additionalInfo.sample is true or "true"', () => {
    const sampleOf = (sample: unknown) => {
      const gd = gdBare();
      (gd['service'] as Record<string, Record<string, unknown>>)['additionalInfo'] = { sample };
      return only(ingest(gd)).sample;
    };
    expect([true, 'true', false, 'false', undefined].map(sampleOf)).toEqual([true, true, false, false, false]);
  });

  it('turns an access key into the key plus its role (AssumedRole) or user (IAMUser)', () => {
    const withKey = (userType: string) => {
      const gd = gdBare();
      gd['type'] = 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS';
      gd['resource'] = {
        resourceType: 'AccessKey',
        accessKeyDetails: { accessKeyId: 'ASIAEXAMPLE', principalId: 'AROAEXAMPLE:i-0abc', userName: 'web-role', userType },
      };
      return only(ingest(gd)).resources.map((r) => [r.type, r.id]);
    };
    expect(withKey('AssumedRole')).toEqual([
      ['AwsIamAccessKey', 'ASIAEXAMPLE'],
      ['AwsIamRole', 'arn:aws:iam::000000000000:role/web-role'],
    ]);
    expect(withKey('IAMUser')).toEqual([
      ['AwsIamAccessKey', 'ASIAEXAMPLE'],
      ['AwsIamUser', 'arn:aws:iam::000000000000:user/web-role'],
    ]);
  });

  it('turns S3 bucket details into AwsS3Bucket ARNs with their tags', () => {
    const gd = gdBare();
    gd['type'] = 'Policy:S3/BucketBlockPublicAccessDisabled';
    gd['resource'] = {
      resourceType: 'S3Bucket',
      s3BucketDetails: [{ name: 'payroll-exports', arn: 'arn:aws:s3:::payroll-exports', type: 'Destination', tags: [{ key: 'cordon:exempt', value: 'true' }] }],
    };
    expect(only(ingest(gd)).resources).toEqual([
      expect.objectContaining({ type: 'AwsS3Bucket', id: 'arn:aws:s3:::payroll-exports', tags: { 'cordon:exempt': 'true' } }),
    ]);
  });

  it('marks archived findings', () => {
    const gd = gdBare();
    (gd['service'] as Record<string, unknown>)['archived'] = true;
    expect(only(ingest(gd)).recordState).toBe('archived');
  });

  it('names the field of a known shape that is missing or of the wrong type', () => {
    const noType = gdEnvelope();
    delete (noType['detail'] as Record<string, unknown>)['type'];
    expect(reasons(ingest(noType))).toEqual(['detail.type: required']);
    const badSeverity = gdEnvelope();
    (badSeverity['detail'] as Record<string, unknown>)['severity'] = 'high';
    expect(reasons(ingest(badSeverity))).toEqual(['detail.severity: expected a number, got "high"']);
    const noInstance = gdBare();
    delete ((noInstance['resource'] as Record<string, unknown>)['instanceDetails'] as Record<string, unknown>)['instanceId'];
    expect(reasons(ingest(noInstance))).toEqual(['resource.instanceDetails.instanceId: required']);
  });
});

describe('Security Hub', () => {
  it('reads a bare ASFF finding with control, compliance, workflow and product ARN', () => {
    expect(only(ingest(asff()))).toMatchObject({
      source: 'securityhub',
      control: 'S3.8',
      complianceStatus: 'failed',
      workflowStatus: 'new',
      recordState: 'active',
      productArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
      severity: 'high',
      observedAt: '2022-02-21T09:49:14.792Z',
    });
  });

  it('reads a custom-action envelope, taking the region from the ProductArn when the finding has none', () => {
    const f = only(ingest(asffEnvelope()));
    expect(f).toMatchObject({ region: 'us-east-2', control: 'CIS.2.3', complianceStatus: 'warning', severity: 'critical' });
  });

  it('reads an Imported batch item by item: a bad item is rejected by index, the others still ingest', () => {
    const good = asff();
    const bad = asff();
    delete bad['Id'];
    const event = { ...asffEnvelope(), 'detail-type': 'Security Hub Findings - Imported', detail: { findings: [good, clone(good), bad] } };
    const result = ingest(event);
    expect(result.findings).toHaveLength(2);
    expect(reasons(result)).toEqual(['detail.findings[2].Id: required']);
    // In a batch of several, raw is the finding item, not the whole envelope.
    expect(result.findings[0]?.raw).toEqual(good);
  });

  it('reads an ASFF array and the GetFindings {"Findings": [...]} response', () => {
    expect(ingest([asff(), asff()]).findings).toHaveLength(2);
    expect(ingest({ Findings: [asff()] }).findings).toHaveLength(1);
  });

  it('falls back from Label to Normalized severity bands', () => {
    const severityOf = (n: number) => {
      const f = asff();
      f['Severity'] = { Normalized: n };
      return only(ingest(f)).severity;
    };
    expect([0, 1, 39, 40, 69, 70, 89, 90, 100].map(severityOf)).toEqual([
      'informational', 'low', 'low', 'medium', 'medium', 'high', 'high', 'critical', 'critical',
    ]);
    const none = asff();
    none['Severity'] = {};
    expect(reasons(ingest(none))).toEqual(['Severity: needs Label or Normalized']);
  });

  it('honours the ASFF Sample flag and recovers the GuardDuty type of an imported GuardDuty finding', () => {
    const imported = asff();
    imported['ProductArn'] = 'arn:aws:securityhub:us-east-1::product/aws/guardduty';
    imported['ProductName'] = 'GuardDuty';
    imported['Types'] = ['TTPs/Command and Control/Backdoor:EC2-C&CActivity.B!DNS'];
    imported['ProductFields'] = { 'aws/guardduty/service/additionalInfo/sample': 'true' };
    expect(only(ingest(imported))).toMatchObject({ type: 'Backdoor:EC2/C&CActivity.B!DNS', sample: true, source: 'securityhub' });
    const flagged = asff();
    flagged['Sample'] = true;
    expect(only(ingest(flagged)).sample).toBe(true);
  });

  it('prefers the consolidated SecurityControlId and reads resource tags and details', () => {
    const f = asff();
    f['Compliance'] = { Status: 'FAILED', SecurityControlId: 'S3.8' };
    f['ProductFields'] = {};
    f['Resources'] = [
      {
        Type: 'AwsEc2Instance',
        Id: 'arn:aws:ec2:us-east-1:111111111111:instance/i-0abc',
        Tags: { 'cordon:approval': 'required' },
        Details: { AwsEc2Instance: { VpcId: 'vpc-1', SubnetId: 'subnet-1', IamInstanceProfileArn: 'arn:x' } },
      },
    ];
    const finding = only(ingest(f));
    expect(finding.control).toBe('S3.8');
    expect(finding.resources[0]).toEqual({
      type: 'AwsEc2Instance',
      id: 'arn:aws:ec2:us-east-1:111111111111:instance/i-0abc',
      tags: { 'cordon:approval': 'required' },
      region: 'us-east-1',
      account: '111111111111',
      details: { VpcId: 'vpc-1', SubnetId: 'subnet-1', IamInstanceProfileArn: 'arn:x' },
    });
  });

  it('rejects an EventBridge event that is neither GuardDuty nor Security Hub', () => {
    expect(reasons(ingest({ 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2', detail: {} }))).toEqual([
      'unrecognized event: EventBridge "EC2 Instance State-change Notification" event from aws.ec2 is not a finding ' +
        '(Cordon reads "GuardDuty Finding", "Security Hub Findings - Imported/Custom Action" and "Findings Imported V2")',
    ]);
  });
});

describe('Defender for Cloud', () => {
  it('reads the alert resource: subscription, region, status, the VM and the alert ARM id', () => {
    const alert = defenderAlert();
    const f = only(ingest(alert));
    expect(f).toMatchObject({
      id: alert['id'],
      alertResourceId: alert['id'],
      source: 'defender',
      cloud: 'azure',
      title: 'Azure Security Center test alert (not a threat)',
      account: '20ff7fc3-e762-44dd-bd96-b71116dcdc23',
      region: 'westeurope',
      observedAt: '2020-02-23T13:47:58.000Z',
      workflowStatus: 'new',
    });
    expect(f.resources).toEqual([
      {
        type: 'Microsoft.Compute/virtualMachines',
        id: '/subscriptions/20ff7fc3-e762-44dd-bd96-b71116dcdc23/resourceGroups/myRg1/providers/Microsoft.Compute/virtualMachines/vm1',
        tags: {},
        account: '20ff7fc3-e762-44dd-bd96-b71116dcdc23',
        // The example's `ip` entity (192.0.2.1): the remote end of the flow the attacker model derives.
        details: { resourceGroup: 'myRg1', name: 'vm1', compromised: 'true', remoteIp: '192.0.2.1' },
      },
    ]);
  });

  it('maps status to workflow and flags "Create sample alerts" alerts', () => {
    const variant = (props: Record<string, unknown>) => {
      const a = defenderAlert();
      a['properties'] = { ...(a['properties'] as Record<string, unknown>), alertType: 'VM_SuspiciousProcess', ...props };
      return only(ingest(a));
    };
    expect(['Active', 'InProgress', 'Resolved', 'Dismissed'].map((status) => variant({ status }).workflowStatus)).toEqual([
      'new', 'notified', 'resolved', 'suppressed',
    ]);
    expect(variant({ alertDisplayName: 'Suspicious process executed' }).sample).toBe(false);
    expect(variant({ alertDisplayName: '[SAMPLE ALERT] Suspicious process executed' }).sample).toBe(true);
    expect(variant({ alertType: 'SIMULATED_VM_SuspiciousProcess', alertDisplayName: 'x' }).sample).toBe(true);
    expect(variant({ severity: 'Informational' }).severity).toBe('informational');
  });

  it('types storage accounts from an upper-cased ARM id and writes the id in canonical case', () => {
    const a = defenderAlert();
    (a['properties'] as Record<string, unknown>)['resourceIdentifiers'] = [
      { type: 'AzureResource', azureResourceId: '/SUBSCRIPTIONS/S1/RESOURCEGROUPS/rg/PROVIDERS/MICROSOFT.STORAGE/STORAGEACCOUNTS/acct1' },
    ];
    expect(only(ingest(a)).resources.map((r) => [r.type, r.id])).toEqual([
      ['Microsoft.Storage/storageAccounts', '/subscriptions/S1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct1'],
    ]);
  });

  it('reads the alert inside Event Grid and CloudEvents events, single or batched', () => {
    const eventGrid = load(`${ownDir}/defender/alert.eventgrid.json`) as unknown as Record<string, unknown>[];
    const cloudEvent = load(`${ownDir}/defender/alert.cloudevent.json`);
    const batch = ingest([...eventGrid, cloudEvent, { ...cloudEvent, data: { nope: true } }]);
    expect(batch.findings.map((f) => f.finding.type)).toEqual(['VM_EICAR', 'VM_EICAR']);
    expect(reasons(batch)).toEqual([
      '[2]: unrecognized event: Event Grid event "Microsoft.Security.Alert" carries no Defender or Graph alert',
    ]);
    // raw is the whole Event Grid event that carried the alert.
    expect(batch.findings[1]?.raw).toEqual(cloudEvent);
  });

  it('names the missing field of an alert inside an event', () => {
    const cloudEvent = load(`${ownDir}/defender/alert.cloudevent.json`);
    delete ((cloudEvent['data'] as Record<string, unknown>)['properties'] as Record<string, unknown>)['severity'];
    expect(reasons(ingest(cloudEvent))).toEqual(['data.properties.severity: required']);
  });

  it('answers subscription validation in both schemas', () => {
    const data = { validationCode: 'code-1', validationUrl: 'https://example.invalid/validate' };
    const result = ingest([
      { id: '1', eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent', subject: '', data, eventTime: '2022-10-28T04:23:35Z', dataVersion: '1' },
      { specversion: '1.0', type: 'Microsoft.EventGrid.SubscriptionValidationEvent', source: 's', id: '2', data: { validationCode: 'code-2' } },
    ]);
    expect(result.validations).toEqual([data, { validationCode: 'code-2' }]);
    expect(result.findings).toEqual([]);
    expect(result.rejected).toEqual([]);
  });
});

describe('Microsoft Graph', () => {
  it('reads a security alert: evidence VM by ARM id, tenant or subscription as account', () => {
    const f = only(ingest(graphAlert()));
    expect(f).toMatchObject({
      id: 'da637578995287051192_756343937',
      source: 'defender',
      cloud: 'azure',
      type: 'DefenseEvasion',
      title: 'Suspicious execution of hidden file',
      severity: 'low',
      account: '8700d3a3-3bb7-4fbe-a090-488a1ad04161',
      region: 'global',
      observedAt: '2021-05-02T07:56:58.222Z',
      workflowStatus: 'new',
      alertResourceId: 'da637578995287051192_756343937',
    });
    expect(f.resources).toEqual([
      expect.objectContaining({
        type: 'Microsoft.Compute/virtualMachines',
        tags: { 'Test Machine': '' },
        details: expect.objectContaining({ mdeDeviceId: '73e7e2de709dff64ef64b1d0c30e67fab63279db', name: 'NirLaviTests' }) as unknown,
      }),
    ]);
  });

  it('turns user evidence into Microsoft.Graph/users (object id, else UPN) with tag strings as tags', () => {
    const alert = graphAlert();
    alert['evidence'] = [
      {
        '@odata.type': '#microsoft.graph.security.userEvidence',
        tags: ['cordon:exempt=true'],
        userAccount: { azureAdUserId: '5e5b4b1c-0000-4000-8000-000000000001', userPrincipalName: 'ada@contoso.com' },
      },
      { '@odata.type': '#microsoft.graph.security.userEvidence', userAccount: { azureAdUserId: null, userPrincipalName: 'bob@contoso.com' } },
    ];
    const f = only(normalizeGraphAlert(alert, 'graph'));
    expect(f.account).toBe('b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c');
    expect(f.resources.map((r) => [r.type, r.id, r.tags])).toEqual([
      ['Microsoft.Graph/users', '5e5b4b1c-0000-4000-8000-000000000001', { 'cordon:exempt': 'true' }],
      ['Microsoft.Graph/users', 'bob@contoso.com', {}],
    ]);
  });

  it('normalizeGraphAlert names a missing field and rejects what is not an alert', () => {
    const alert = graphAlert();
    delete alert['severity'];
    expect(reasons(normalizeGraphAlert(alert, 'graph'))).toEqual(['severity: required']);
    expect(reasons(normalizeGraphAlert('nope', 'graph'))).toEqual(['expected a Graph security alert object']);
  });

  it('rejects a change notification that is not about security alerts, keeping the alert ones', () => {
    const result = ingest({
      value: [
        { changeType: 'created', resource: 'security/alerts_v2/abc', subscriptionId: 's' },
        { changeType: 'created', resource: 'Users/1/messages/2', subscriptionId: 's' },
        { lifecycleEvent: 'reauthorizationRequired', subscriptionId: 's' },
      ],
    });
    expect(result.graphAlertRefs).toEqual([{ alertId: 'abc', origin: 'event.json' }]);
    expect(reasons(result)).toEqual([
      'value[1].resource: not a security/alerts_v2 resource',
      'value[2].lifecycleEvent: a lifecycle notification, not an alert',
    ]);
  });
});

describe('bad input', () => {
  it('rejects an empty file', () => {
    expect(reasons(ingestText('', 'e.json'))).toEqual(['empty file']);
    expect(reasons(ingestText('  \n\t', 'e.json'))).toEqual(['empty file']);
    expect(ingestText('', 'e.json').rejected[0]?.file).toBe('e.json');
  });

  it('rejects unparseable JSON naming line and column', () => {
    expect(reasons(ingestText('{\n  "a": 1,\n  "b" 2\n}', 'x.json'))).toEqual([
      expect.stringMatching(/^invalid JSON at line 3, column 7: /),
    ]);
    expect(reasons(ingestText('[1,', 'x.json'))).toEqual(['invalid JSON at line 1, column 4: unexpected end of input']);
  });

  it('rejects an event over 256 KB, saying how big it is', () => {
    const big = gdBare();
    big['description'] = 'x'.repeat(300 * 1024);
    const text = JSON.stringify(big);
    const kb = Math.ceil(Buffer.byteLength(text) / 1024);
    expect(reasons(ingestText(text, 'big.json'))).toEqual([`event is ${kb} KB, over the 256 KB limit`]);
    expect(reasons(ingestValue(big, 'big'))).toEqual([`event is ${kb} KB, over the 256 KB limit`]);
    expect(MAX_EVENT_BYTES).toBe(262144);
  });

  it('rejects an unknown source', () => {
    for (const value of [{ hello: 'world' }, 42, 'text', [[1]], { value: [] }]) {
      expect(reasons(ingest(value))[0]).toMatch(/unrecognized event: not a GuardDuty, Security Hub, OCSF, Defender or Graph shape$/);
    }
  });

  it('rejects hostile nesting without overflowing the stack', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(reasons(ingestText(deep, 'deep.json'))).toEqual(['event nests deeper than 64 levels']);
  });

  it('ingestValue reads parsed events like ingestText', () => {
    expect(only(ingestValue(gdEnvelope(), 'lambda')).id).toBe('2ab35569068ee10579b5abdbe10e679f');
    expect(reasons(ingestValue(undefined, 'lambda'))).toEqual(['empty event']);
  });
});
