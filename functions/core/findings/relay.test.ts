import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { incidentId, latestPerIncident } from '../incident-id.js';
import type { IngestedFinding } from '../model.js';
import { planIncident, planSettings } from '../plan/plan.js';
import { loadPlaybooks } from '../playbooks/load.js';
import { compileRouter } from '../playbooks/match.js';
import { ingestText } from './ingest.js';

/** Issue 16 (relayed GuardDuty, OCSF, later copies) and issue 15 item 6 (one incident per breach). */
const fixtures = resolve(import.meta.dirname, '../../../test/fixtures');
const route = compileRouter(loadPlaybooks());
const now = new Date('2026-03-28T12:00:00Z');

function read(file: string): string {
  return readFileSync(join(fixtures, file), 'utf8');
}

function ingestOne(text: string, origin = 'test'): IngestedFinding {
  const result = ingestText(text, origin);
  expect(result.rejected).toEqual([]);
  expect(result.findings).toHaveLength(1);
  return result.findings[0] as IngestedFinding;
}

const RELAYED = 'securityhub/guardduty-relayed-SSHBruteForce.asff.json';
const SAMPLE_2018 = 'securityhub/guardduty-relayed-2018-sample.asff.json';
const OCSF_ENVELOPE = 'ocsf/guardduty-SSHBruteForce.findings-imported-v2.json';
const OCSF_BARE = 'ocsf/guardduty-SSHBruteForce.bare.json';
const GUARDDUTY = 'guardduty/derived-SSHBruteForce.bare.json';
const INSTANCE = 'arn:aws:ec2:us-east-1:193043430472:instance/i-0c10c2c7863d1a356';

describe('GuardDuty relayed through Security Hub', () => {
  it('a real relay (empty account field in ProductArn, no ProductName) routes to aws-ec2-compromise in the resource region', () => {
    const f = ingestOne(read(RELAYED)).finding;
    expect(f).toMatchObject({ source: 'securityhub', type: 'UnauthorizedAccess:EC2/SSHBruteForce', region: 'us-east-1', sample: false });
    expect(f.relayOf).toEqual({ source: 'guardduty', id: '46ba0ac2845071e23ccdeb2ae03bfdea' });
    expect(route(f)?.id).toBe('aws-ec2-compromise');
    expect(f.resources.map((r) => r.id)).toEqual([INSTANCE]);
  });

  it('takes the region from the resource, never from a ProductArn segment that is no region', () => {
    const doc = JSON.parse(read(RELAYED)) as Record<string, unknown>;
    doc['ProductArn'] = 'arn:aws:securityhub:::product/aws/guardduty';
    const resources = doc['Resources'] as Record<string, unknown>[];
    (resources[0] as Record<string, unknown>)['Region'] = 'eu-central-1';
    const f = ingestOne(JSON.stringify(doc)).finding;
    expect(f.region).toBe('eu-central-1');
    expect(route(f)?.id).toBe('aws-ec2-compromise');
  });

  it('without the GuardDuty product the ASFF type stays as Security Hub wrote it, and nothing routes (the twin)', () => {
    const doc = JSON.parse(read(RELAYED)) as Record<string, unknown>;
    doc['ProductArn'] = 'arn:aws:securityhub:us-east-1:193043430472:product/193043430472/default';
    const fields = doc['ProductFields'] as Record<string, string>;
    delete fields['aws/securityhub/ProductName'];
    const f = ingestOne(JSON.stringify(doc)).finding;
    expect(f.type).toBe('TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce');
    expect(f.relayOf).toBeUndefined();
    expect(route(f)).toBeNull();
  });

  it('honours the 2018 string sample flag (additionalInfo = "{\\"sample\\":true}"): automatic mode acts on nothing', () => {
    const f = ingestOne(read(SAMPLE_2018)).finding;
    expect(f).toMatchObject({ sample: true, type: 'Backdoor:EC2/C&CActivity.B!DNS', severity: 'high', region: 'eu-west-1' });
    expect(route(f)?.id).toBe('aws-ec2-compromise');
    const automatic = planIncident(f, route(f), planSettings({ now }));
    expect(automatic.steps.filter((s) => s.target.type === 'AwsEc2Instance')).toEqual([]);
    expect(automatic.skipped.map((s) => s.reason)).toContain('sample-finding');
  });

  it('the same relay with "sample":false in the string is no sample and is acted on (the twin)', () => {
    const text = read(SAMPLE_2018).replace('{\\"sample\\":true,', '{\\"sample\\":false,');
    const f = ingestOne(text).finding;
    expect(f.sample).toBe(false);
    const automatic = planIncident(f, route(f), planSettings({ now }));
    expect(automatic.steps.map((s) => s.action)).toContain('quarantine-instance');
  });
});

describe('OCSF Detection Finding (Security Hub V2, Security Lake)', () => {
  it.each([OCSF_ENVELOPE, OCSF_BARE])('%s routes like its GuardDuty original', (file) => {
    const ocsf = ingestOne(read(file)).finding;
    const original = ingestOne(read(GUARDDUTY)).finding;
    expect(ocsf).toMatchObject({ source: 'ocsf', cloud: 'aws', account: '193043430472', region: 'us-east-1', type: original.type });
    expect(route(ocsf)?.id).toBe('aws-ec2-compromise');
    expect(route(ocsf)?.id).toBe(route(original)?.id);
    const steps = (f: typeof ocsf) => planIncident(f, route(f), planSettings({ now })).steps.filter((s) => s.phase !== 'notify').map((s) => s.id);
    expect(steps(ocsf)).toEqual(steps(original));
    expect(steps(ocsf)).toContain(`quarantine-instance:${INSTANCE}`);
  });

  it('an OCSF class other than 2004 is refused by name', () => {
    const doc = JSON.parse(read(OCSF_BARE)) as Record<string, unknown>;
    doc['class_uid'] = 2003;
    doc['class_name'] = 'Compliance Finding';
    const result = ingestText(JSON.stringify(doc), 'x');
    expect(result.findings).toEqual([]);
    expect(result.rejected[0]?.reason).toBe(
      'class_uid: OCSF class 2003 (Compliance Finding) is not a Detection Finding (class_uid 2004); Cordon responds to detections only',
    );
  });

  it('a missing finding_info.uid is named', () => {
    const text = read(OCSF_ENVELOPE).replace('"uid": "arn:aws:guardduty:', '"uid_x": "arn:aws:guardduty:');
    expect(ingestText(text, 'x').rejected[0]?.reason).toBe('detail.findings[0].finding_info.uid: required');
  });
});

describe('one incident per breach (issue 15 item 6)', () => {
  it('a GuardDuty finding, its Security Hub copy and its OCSF copy share one deterministic incident id', () => {
    const ids = [GUARDDUTY, RELAYED, OCSF_ENVELOPE].map((file) => incidentId(ingestOne(read(file)).finding));
    expect(new Set(ids).size).toBe(1);
    // An unrelated finding keeps its own incident.
    expect(incidentId(ingestOne(read(SAMPLE_2018)).finding)).not.toBe(ids[0]);
  });

  it('planned together they give one incident; the later copy updates it (one clock, one set of actions)', () => {
    const findings = [ingestOne(read(GUARDDUTY), 'gd.json'), ingestOne(read(RELAYED), 'sh.json')];
    const deliveries = latestPerIncident(findings);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]?.deliveries).toBe(2);
    expect(deliveries[0]?.ingested.origin).toBe('sh.json');
    const f = (deliveries[0] as (typeof deliveries)[number]).ingested.finding;
    const incident = planIncident(f, route(f), planSettings({ now }));
    expect(incident.id).toBe(incidentId(findings[0]!.finding));
    // The Security Hub copy also brings the step that marks it NOTIFIED; containment is planned once.
    expect(incident.steps.filter((s) => s.action === 'quarantine-instance')).toHaveLength(1);
    expect(incident.steps.map((s) => s.action)).toContain('update-finding');
  });
});

describe('a later alert with the same id and a new state', () => {
  const active = read('defender/alert-subscription-location.json');
  const dismissed = active.replace('"status": "Active"', '"status": "Dismissed"');

  it('replaces the earlier one in the batch instead of being dropped: dismissed routes to nothing', () => {
    const [first, second] = [ingestOne(active, 'a.json'), ingestOne(dismissed, 'b.json')];
    expect(incidentId(first.finding)).toBe(incidentId(second.finding));
    const [only, ...rest] = latestPerIncident([first, second]);
    expect(rest).toEqual([]);
    expect(only?.ingested.finding.workflowStatus).toBe('suppressed');
    expect(route(only!.ingested.finding)).toBeNull();
  });

  it('an earlier-observed copy arriving late does not replace the newer one', () => {
    const later = active.replace(/"timeGeneratedUtc": "[^"]+"/, '"timeGeneratedUtc": "2099-01-01T00:00:00Z"');
    const [newer, stale] = [ingestOne(later, 'new.json'), ingestOne(dismissed, 'stale.json')];
    const [only] = latestPerIncident([newer, stale]);
    expect(only?.ingested.origin).toBe('new.json');
    expect(only?.deliveries).toBe(2);
  });
});
