import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cordon, FIXTURES, PUBLIC_FIXTURES } from './harness.js';

const EC2_FINDING = join(PUBLIC_FIXTURES, 'guardduty/sample-Trojan.EC2-DGADomainRequest.B.bare.json');

interface Estate {
  aws: {
    instances: { id: string; securityGroups: string[]; terminationProtection: boolean; tags: Record<string, string> }[];
    snapshots: { id: string }[];
    buckets: { name: string; publicAccessBlock?: Record<string, boolean> }[];
  };
  azure: { vms: { id: string; nics: { id: string; nsg: string | null }[] }[]; storageAccounts: { id: string; allowBlobPublicAccess?: boolean }[] };
}
interface Release { steps: { step: string; action: string; status: string }[]; audit: { file: string } }

async function tabletop(...files: string[]): Promise<{ runDir: string; estatePath: string; incidents: string[] }> {
  const r = await cordon(['tabletop', '--json', ...files]);
  expect(r.code).toBe(0);
  const doc = JSON.parse(r.stdout) as { estate: string; incidents: { id: string }[] };
  return { runDir: dirname(doc.estate), estatePath: doc.estate, incidents: doc.incidents.map((i) => i.id) };
}
const readEstate = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Estate;

describe('cordon release', () => {
  it('puts a quarantined EC2 host back in its original groups and termination protection from the audit log, keeps the snapshots, and a second release is a no-op', async () => {
    const { runDir, estatePath, incidents } = await tabletop(EC2_FINDING);
    const original = readEstate(estatePath);
    const quarantined = original.aws.instances[0];
    expect(quarantined?.tags['cordon:original-groups']).toBe('GeneratedFindingSecurityId');
    // The attacker rewrites the tag: release must not believe it.
    quarantined!.tags['cordon:original-groups'] = 'sg-attacker000000001';
    writeFileSync(estatePath, JSON.stringify(original));

    const dry = await cordon(['release', incidents[0] ?? '', '--json'], { home: runDir });
    expect(dry.code).toBe(0);
    expect((JSON.parse(dry.stdout) as Release).steps.find((s) => s.action === 'quarantine-instance')?.status).toBe('would-release');
    expect(readEstate(estatePath).aws.instances[0]?.securityGroups).toEqual(quarantined?.securityGroups);

    const r = await cordon(['release', incidents[0] ?? '', '--execute', '--sim', '--json'], { home: runDir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Release;
    expect(doc.steps.find((s) => s.action === 'quarantine-instance')?.status).toBe('released');
    expect(doc.steps.find((s) => s.action === 'snapshot-volumes')?.status).toBe('not-releasable');
    const after = readEstate(estatePath);
    expect(after.aws.instances[0]?.securityGroups).toEqual(['GeneratedFindingSecurityId']);
    expect(after.aws.instances[0]?.terminationProtection).toBe(false);
    expect(after.aws.snapshots.length).toBe(original.aws.snapshots.length);
    const log = readFileSync(doc.audit.file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string });
    expect(log.map((l) => l.event)).toContain('release.quarantine-instance');
    expect((await cordon(['audit', 'verify', doc.audit.file])).code).toBe(0);

    const again = await cordon(['release', incidents[0] ?? '', '--execute', '--sim', '--json'], { home: runDir });
    expect((JSON.parse(again.stdout) as Release).steps.find((s) => s.action === 'quarantine-instance')?.status).toBe('already-released');
  });

  it('twin: without the audit log there is nothing to release (the tag alone is never used)', async () => {
    const { runDir, incidents } = await tabletop(EC2_FINDING);
    writeFileSync(join(runDir, 'audit.jsonl'), '');
    const r = await cordon(['release', incidents[0] ?? '', '--execute', '--sim'], { home: runDir });
    expect(r.code).toBe(2);
  });

  it('restores an Azure VM\'s NSGs and a storage account\'s allowBlobPublicAccess', async () => {
    const { runDir, estatePath, incidents } = await tabletop(join(FIXTURES, 'defender/alert.cloudevent.json'), join(FIXTURES, 'defender/derived-storage-anonymous-access.json'));
    const before = readEstate(estatePath);
    expect(before.azure.storageAccounts[0]?.allowBlobPublicAccess).toBe(false);
    for (const incident of incidents) {
      const r = await cordon(['release', incident, '--execute', '--sim', '--json'], { home: runDir });
      expect(r.code).toBe(0);
    }
    const after = readEstate(estatePath);
    expect(after.azure.storageAccounts[0]?.allowBlobPublicAccess).toBe(true);
    expect(after.azure.vms[0]?.nics[0]?.nsg).toMatch(/-nsg$/);
    expect((await cordon(['audit', 'verify', join(runDir, 'audit.jsonl')])).code).toBe(0);
  });

  it('restores an S3 bucket to no Block Public Access configuration', async () => {
    const { runDir, estatePath, incidents } = await tabletop(join(PUBLIC_FIXTURES, 'securityhub/asr-simdata-afsbp-s3.8.json'));
    expect(readEstate(estatePath).aws.buckets[0]?.publicAccessBlock).toMatchObject({ BlockPublicAcls: true });
    const r = await cordon(['release', incidents[0] ?? '', '--execute', '--sim', '--json'], { home: runDir });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Release).steps.find((s) => s.action === 'block-s3-public-access')?.status).toBe('released');
    expect(readEstate(estatePath).aws.buckets[0]?.publicAccessBlock).toBeUndefined();
  });
});
