import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cordon, PUBLIC_FIXTURES } from './harness.js';

const EC2_FINDING = join(PUBLIC_FIXTURES, 'guardduty/sample-Trojan.EC2-DGADomainRequest.B.bare.json');

interface EstateJson {
  aws: {
    instances: { id: string; securityGroups: string[]; terminationProtection: boolean; tags: Record<string, string> }[];
    snapshots: { id: string; volumeId: string }[];
    securityGroups: { id: string; name: string }[];
    serial: number;
  };
}

describe('estate.json in a tabletop run directory', () => {
  it('holds the final simulated state in the --estate schema, and a later --sim command continues from it', async () => {
    const r = await cordon(['tabletop', '--json', EC2_FINDING]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { estate: string; audit: { file: string } };
    expect(dirname(doc.estate)).toBe(dirname(doc.audit.file));
    const estate = JSON.parse(readFileSync(doc.estate, 'utf8')) as EstateJson;
    const instance = estate.aws.instances[0];
    const isolation = estate.aws.securityGroups.find((g) => g.name === 'cordon-isolation');
    expect(instance?.securityGroups).toEqual([isolation?.id]);
    expect(instance?.terminationProtection).toBe(true);
    expect(estate.aws.snapshots.length).toBeGreaterThan(0);

    // The file is a valid --estate: a second tabletop on it finds the host already isolated.
    const again = await cordon(['tabletop', '--json', '--estate', doc.estate, EC2_FINDING]);
    expect(again.code).toBe(0);
    const quarantine = (JSON.parse(again.stdout) as { incidents: { steps: { action: string; reason?: string }[] }[] }).incidents[0]?.steps.find((s) => s.action === 'quarantine-instance');
    expect(quarantine?.reason).toBe('already-done');

    // `run --execute --sim` with that home continues on the same estate and writes it back:
    // the snapshots of the tabletop are still there, new ones are added without id collisions.
    const runDir = dirname(doc.estate);
    const run = await cordon(['run', 'aws-ec2-compromise', '--target', instance?.id ?? '', '--region', 'eu-west-1', '--execute', '--sim', '--json'], { home: runDir });
    expect(run.stderr).toBe('');
    const after = JSON.parse(readFileSync(doc.estate, 'utf8')) as EstateJson;
    expect(after.aws.snapshots.length).toBeGreaterThan(estate.aws.snapshots.length);
    expect(new Set(after.aws.snapshots.map((s) => s.id)).size).toBe(after.aws.snapshots.length);
    expect(after.aws.serial).toBeGreaterThan(estate.aws.serial);
    expect(after.aws.instances[0]?.securityGroups).toEqual([isolation?.id]);
  });
});
