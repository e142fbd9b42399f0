import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ingestText } from '../findings/ingest.js';
import { loadPlaybooks } from '../playbooks/load.js';
import { compileRouter } from '../playbooks/match.js';
import { planIncident, planSettings } from './plan.js';

/** End to end through the pure core: the real public samples, ingested, routed and planned. */
const ROOT = new URL('../../../test/fixtures/public/', import.meta.url);
const route = compileRouter(loadPlaybooks());

function only(file: string) {
  const result = ingestText(readFileSync(new URL(file, ROOT), 'utf8'), file);
  expect(result.rejected).toEqual([]);
  expect(result.findings).toHaveLength(1);
  return (result.findings[0] as (typeof result.findings)[number]).finding;
}

describe('public fixtures: ingest → route → plan', () => {
  it.each([
    ['guardduty/sample-Trojan.EC2-DGADomainRequest.B.bare.json', 'aws-ec2-compromise'],
    ['guardduty/sample-UnauthorizedAccess.EC2-SSHBruteForce.eventbridge.json', 'aws-ec2-compromise'],
    ['guardduty/sample-Backdoor.EC2-DenialOfService.UdpOnTcpPorts.bare-array.json', 'aws-ec2-compromise'],
    ['securityhub/asr-simdata-afsbp-s3.8.json', 'aws-s3-data-exposure'],
    ['securityhub/asr-simdata-afsbp-s3.1.json', 'aws-s3-data-exposure'],
    ['securityhub/asr-simdata-afsbp-s3.2.json', null],
    ['securityhub/asr-simdata-afsbp-s3.4.json', null],
    ['securityhub/asr-simdata-afsbp-ec2.2.json', null],
    ['securityhub/asr-simdata-afsbp-ec2.8.json', null],
    ['securityhub/asr-simdata-afsbp-iam.8.json', null],
    ['securityhub/asr-simdata-afsbp-iam.8-nodetails.json', null],
    ['securityhub/asr-simdata-cis23.json', null],
    ['securityhub/asr-simdata-cis28.json', null],
    ['securityhub/asr-simdata-cis4142.json', null],
  ])('%s → %s', (file, expected) => {
    expect(route(only(file))?.id ?? null).toBe(expected);
  });

  it('GuardDuty samples are planned but never acted on automatically; tabletop acts on them', () => {
    const f = only('guardduty/sample-Trojan.EC2-DGADomainRequest.B.bare.json');
    const now = new Date('2026-03-28T12:00:00Z');
    const automatic = planIncident(f, route(f), planSettings({ now }));
    expect(automatic.steps).toEqual([]);
    expect(automatic.skipped.map((s) => s.reason)).toEqual(Array(4).fill('sample-finding'));
    const tabletop = planIncident(f, route(f), planSettings({ now, mode: 'tabletop' }));
    expect(tabletop.steps.map((s) => s.id)).toEqual([
      'detach-from-autoscaling:arn:aws:ec2:eu-west-1:000000000000:instance/i-99999999',
      'quarantine-instance:arn:aws:ec2:eu-west-1:000000000000:instance/i-99999999',
      'revoke-instance-credentials:arn:aws:ec2:eu-west-1:000000000000:instance/i-99999999',
      'snapshot-volumes:arn:aws:ec2:eu-west-1:000000000000:instance/i-99999999',
    ]);
  });

  it('S3.8 blocks the bucket and marks the finding NOTIFIED; a failed control on an unclassified bucket opens only an assessment', () => {
    const f = only('securityhub/asr-simdata-afsbp-s3.8.json');
    const incident = planIncident(f, route(f), planSettings({ now: new Date('2026-03-28T12:00:00Z') }));
    expect(incident.steps.map((s) => s.id)).toEqual([
      'block-s3-public-access:arn:aws:s3:::example',
      `update-finding:${f.id}`,
    ]);
    expect(incident.clocks).toEqual([]);
    expect(incident.assessment).toMatchObject({ personalData: 'unknown', status: 'assessing', trigger: 'posture' });
  });
});
