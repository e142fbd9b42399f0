import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPlaybooks } from '../playbooks/load.js';
import { compileRouter } from '../playbooks/match.js';
import { ingestText } from './ingest.js';
import { PUBLIC_FIXTURES, SHARED_ABSENT_MESSAGE, SHARED_PRESENT, SHARED_PUBLIC_FIXTURES } from '../../../test/support/public-fixtures.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '../../..');
const publicFixtures = PUBLIC_FIXTURES;
const ownFixtures = resolve(repo, 'test/fixtures');

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jsonFiles(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : [],
  );
}

interface Pinned {
  source: string;
  type: string;
  severity: string;
  sample: boolean;
  resources: string[];
  control?: string;
  compliance?: string;
}

const FSBP = 'Software and Configuration Checks/Industry and Regulatory Standards/AWS-Foundational-Security-Best-Practices';
const CIS = 'Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark';
const sh = (control: string, severity: string, resources: string[], compliance = 'failed', type = FSBP): Pinned => ({
  source: 'securityhub',
  type,
  severity,
  sample: false,
  resources,
  control,
  compliance,
});

/** What every public fixture must become: one finding each, pinned field by field. */
const PUBLIC: Record<string, Pinned> = {
  'guardduty/sample-Backdoor.EC2-DenialOfService.UdpOnTcpPorts.bare-array.json': {
    source: 'guardduty',
    type: 'Backdoor:EC2/DenialOfService.UdpOnTcpPorts',
    severity: 'high',
    sample: true,
    resources: ['AwsEc2Instance'],
  },
  'guardduty/sample-Trojan.EC2-DGADomainRequest.B.bare.json': {
    source: 'guardduty',
    type: 'Trojan:EC2/DGADomainRequest.B',
    severity: 'high',
    sample: true,
    resources: ['AwsEc2Instance'],
  },
  'guardduty/sample-UnauthorizedAccess.EC2-SSHBruteForce.eventbridge.json': {
    source: 'guardduty',
    type: 'UnauthorizedAccess:EC2/SSHBruteForce',
    severity: 'low',
    sample: true,
    resources: ['AwsEc2Instance'],
  },
  'securityhub/asr-simdata-afsbp-ec2.2.json': sh('EC2.2', 'informational', ['AwsEc2SecurityGroup']),
  'securityhub/asr-simdata-afsbp-ec2.8.json': sh('EC2.8', 'high', ['AwsEc2Instance']),
  'securityhub/asr-simdata-afsbp-iam.8-nodetails.json': sh('IAM.8', 'medium', ['AwsIamUser']),
  'securityhub/asr-simdata-afsbp-iam.8.json': sh('IAM.8', 'medium', ['AwsIamUser']),
  'securityhub/asr-simdata-afsbp-s3.1.json': sh('S3.1', 'medium', ['AwsAccount']),
  'securityhub/asr-simdata-afsbp-s3.2.json': sh('S3.2', 'informational', ['AwsS3Bucket'], 'passed', 'Effects/Data Exposure/AWS-Foundational-Security-Best-Practices'),
  'securityhub/asr-simdata-afsbp-s3.4.json': sh('S3.4', 'medium', ['AwsS3Bucket']),
  'securityhub/asr-simdata-afsbp-s3.8.json': sh('S3.8', 'high', ['AwsS3Bucket']),
  'securityhub/asr-simdata-cis23.json': sh('CIS.2.3', 'critical', ['AwsS3Bucket'], 'warning', CIS),
  'securityhub/asr-simdata-cis28.json': sh('CIS.2.8', 'medium', ['AwsKmsKey'], 'failed', CIS),
  'securityhub/asr-simdata-cis4142.json': sh('CIS.4.1', 'high', ['AwsEc2SecurityGroup'], 'failed', CIS),
  // The PascalCase SecurityAlert export shape; neither alert maps to a Cordon playbook (asserted below).
  'defender-export/export-K8S_AdmissionController.continuous-export.json': {
    source: 'defender',
    type: 'K8S_AdmissionController',
    severity: 'informational',
    sample: false,
    resources: ['Microsoft.ContainerService/managedClusters'],
  },
  'defender-export/export-SIMULATED_KV_ListGetAnomaly.continuous-export.json': {
    source: 'defender',
    type: 'SIMULATED_KV_ListGetAnomaly',
    severity: 'medium',
    sample: true,
    resources: ['microsoft.keyvault/vaults'],
  },
};

/** other-shapes/: each file's expected outcome from SOURCES.md. */
type Outcome =
  | { rejected: RegExp }
  | { validation: true }
  | { finding: { source: string; sample: boolean; playbook: string | null; workflowStatus?: string } };

const OTHER_SHAPES: Record<string, Outcome> = {
  'other-shapes/eventgrid-subscription-validation.eventgridschema.json': { validation: true },
  'other-shapes/graph-legacy-v1-alert-ASC-Storage.Blob_GeoAnomaly.json': {
    rejected: /^Microsoft Graph security API v1 alert \(legacy \/security\/alerts, provider ASC\): retired/,
  },
  'other-shapes/graph-legacy-v1-alert-IPC-AnonymousLogin.json': {
    rejected: /^Microsoft Graph security API v1 alert \(legacy \/security\/alerts, provider IPC\): retired/,
  },
  'other-shapes/graph-v1-security-incident-xdr.json': { rejected: /^Microsoft Defender XDR incident \(#microsoft\.graph\.incident\)/ },
  // Routed on detail-type, not on `source: aws.guardduty`.
  'other-shapes/guardduty-source-AWS-API-Call-via-CloudTrail-CreateSampleFindings.eventbridge.json': {
    rejected: /EventBridge "AWS API Call via CloudTrail" event from aws\.guardduty is not a finding/,
  },
  // The 2019 alert schema is mapped: SIMULATED_ alerts are samples (never automatic), storage goes to the storage playbook.
  'other-shapes/rest-2019-01-01-legacy-schema-SIMULATED_SQL.VM_BruteForce.alert-resource.json': {
    finding: { source: 'defender', sample: true, playbook: null },
  },
  'other-shapes/rest-2019-01-01-legacy-schema-SIMULATED_Storage.Blob_DataExfiltration.AmountOfDataAnomaly.alert-resource.json': {
    finding: { source: 'defender', sample: true, playbook: 'azure-storage-exposure' },
  },
  'other-shapes/rest-2019-01-01-legacy-schema-ThreatIntelligence-dismissed.alert-resource.json': {
    finding: { source: 'defender', sample: false, playbook: null, workflowStatus: 'suppressed' },
  },
  'other-shapes/securityhub-insight-results.eventbridge.json': { rejected: /EventBridge "Security Hub Insight Results" event from aws\.securityhub is not a finding/ },
  // The SNS envelope is opened; what it carries is a malware scan result, not a finding.
  'other-shapes/sns-wrapped-guardduty-malware-protection-object-scan-result.json': {
    rejected: /^Records\[0\]\.Sns\.Message: .*EventBridge "GuardDuty Malware Protection Object Scan Result" event from aws\.guardduty is not a finding/,
  },
};

const route = compileRouter(loadPlaybooks());

const DEFENDER_VM_ALERT: Pinned = {
  source: 'defender',
  type: 'VM_EICAR',
  severity: 'high',
  sample: true,
  resources: ['Microsoft.Compute/virtualMachines'],
};

/** Our Azure fixtures that become findings. */
const OWN: Record<string, Pinned> = {
  'defender/alert-subscription-location.json': DEFENDER_VM_ALERT,
  'defender/alert.eventgrid.json': DEFENDER_VM_ALERT,
  'defender/alert.cloudevent.json': DEFENDER_VM_ALERT,
  'graph/alert-get.json': {
    source: 'defender',
    type: 'DefenseEvasion',
    severity: 'low',
    sample: false,
    resources: ['Microsoft.Compute/virtualMachines'],
  },
};

function pin(file: string): Pinned {
  const result = ingestText(readFileSync(file, 'utf8'), file);
  expect(result.rejected).toEqual([]);
  expect(result.findings).toHaveLength(1);
  const f = (result.findings[0] as (typeof result.findings)[number]).finding;
  const pinned: Pinned = {
    source: f.source,
    type: f.type,
    severity: f.severity,
    sample: f.sample,
    resources: f.resources.map((r) => r.type),
  };
  if (f.control !== undefined) pinned.control = f.control;
  if (f.complianceStatus !== undefined) pinned.compliance = f.complianceStatus;
  return pinned;
}

describe('public fixtures', () => {
  const files = jsonFiles(publicFixtures).map((f) => relative(publicFixtures, f));

  it('pins every file of the copies in test/fixtures/public (a new file needs a pin)', () => {
    expect(files.sort()).toEqual([...Object.keys(PUBLIC), ...Object.keys(OTHER_SHAPES)].sort());
  });

  // The copies must not drift from the shared originals: a file added or changed there must be copied
  // here (and pinned above). Only the development setup has ../shared beside the checkout; a user's
  // clone skips this one check, with the reason as its name.
  if (SHARED_PRESENT) {
    it('the copies are byte-identical to ../shared/fixtures/public, SOURCES.md included', () => {
      const shared = [...jsonFiles(SHARED_PUBLIC_FIXTURES), join(SHARED_PUBLIC_FIXTURES, 'SOURCES.md')];
      expect(shared.map((f) => relative(SHARED_PUBLIC_FIXTURES, f)).sort()).toEqual([...files, 'SOURCES.md'].sort());
      for (const f of shared) expect(readFileSync(join(publicFixtures, relative(SHARED_PUBLIC_FIXTURES, f)), 'utf8'), relative(SHARED_PUBLIC_FIXTURES, f)).toBe(readFileSync(f, 'utf8'));
    });
  } else {
    it.skip(SHARED_ABSENT_MESSAGE, () => {});
  }

  for (const [file, expected] of Object.entries(PUBLIC)) {
    it(`ingests ${file}`, () => {
      expect(pin(join(publicFixtures, file))).toEqual(expected);
    });
  }

  it('the Defender export alerts map to no playbook (Key Vault, AKS)', () => {
    for (const file of Object.keys(PUBLIC).filter((f) => f.startsWith('defender-export/'))) {
      const f = ingestText(readFileSync(join(publicFixtures, file), 'utf8'), file).findings[0]?.finding;
      expect(f && route(f)).toBeNull();
    }
  });

  for (const [file, outcome] of Object.entries(OTHER_SHAPES)) {
    it(`${file} meets its SOURCES.md outcome`, () => {
      const result = ingestText(readFileSync(join(publicFixtures, file), 'utf8'), file);
      if ('rejected' in outcome) {
        expect(result.findings).toEqual([]);
        expect(result.rejected.map((r) => r.reason)).toEqual([expect.stringMatching(outcome.rejected)]);
      } else if ('validation' in outcome) {
        expect(result.findings).toEqual([]);
        expect(result.rejected).toEqual([]);
        expect(result.validations).toHaveLength(1);
      } else {
        expect(result.rejected).toEqual([]);
        expect(result.findings).toHaveLength(1);
        const f = (result.findings[0] as (typeof result.findings)[number]).finding;
        const { workflowStatus, ...rest } = outcome.finding;
        expect({ source: f.source, sample: f.sample, playbook: route(f)?.id ?? null }).toEqual(rest);
        if (workflowStatus) expect(f.workflowStatus).toBe(workflowStatus);
      }
    });
  }
});

describe('own Azure fixtures', () => {
  for (const [file, expected] of Object.entries(OWN)) {
    it(`ingests ${file}`, () => {
      expect(pin(join(ownFixtures, file))).toEqual(expected);
    });
  }

  it('answers the Event Grid subscription validation instead of making a finding', () => {
    const file = join(ownFixtures, 'defender/subscription-validation.eventgrid.json');
    const result = ingestText(readFileSync(file, 'utf8'), file);
    expect(result.findings).toEqual([]);
    expect(result.rejected).toEqual([]);
    expect(result.validations).toEqual([
      {
        validationCode: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6',
        validationUrl: expect.stringMatching(/^https:\/\/rp-eastus2\.eventgrid\.azure\.net:553\//) as unknown as string,
      },
    ]);
  });

  it('turns AlertCreated and a Graph change notification into alert references to fetch', () => {
    const created = join(ownFixtures, 'graph/alert-created.cloudevent.json');
    expect(ingestText(readFileSync(created, 'utf8'), created)).toMatchObject({
      findings: [],
      rejected: [],
      graphAlertRefs: [{ alertId: '<alert-id>', origin: created }],
    });
    const notification = join(ownFixtures, 'graph/change-notification.alerts_v2.json');
    expect(ingestText(readFileSync(notification, 'utf8'), notification)).toMatchObject({
      findings: [],
      rejected: [],
      graphAlertRefs: [{ alertId: 'da637578995287051192_756343937', origin: notification }],
    });
  });

  it('rejects each bad-input file with a one-line reason', () => {
    const reasons = Object.fromEntries(
      jsonFiles(join(ownFixtures, 'bad')).map((f) => {
        const result = ingestText(readFileSync(f, 'utf8'), f);
        expect(result.findings).toEqual([]);
        expect(result.rejected).toHaveLength(1);
        return [relative(ownFixtures, f), result.rejected[0]?.reason];
      }),
    );
    expect(reasons).toEqual({
      'bad/empty.json': 'empty file',
      'bad/invalid-json.json': expect.stringMatching(/^invalid JSON at line 5, column 5: /) as unknown as string,
      'bad/unknown-shape.json': 'unrecognized event: not a GuardDuty, Security Hub, OCSF, Defender or Graph shape',
      'bad/missing-detail-id.eventbridge.json': 'detail.id: required',
    });
  });
});
