import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cordon, FIXTURES, PUBLIC_FIXTURES } from './harness.js';

const publicFiles = ['guardduty', 'securityhub'].flatMap((d) => readdirSync(join(PUBLIC_FIXTURES, d)).filter((f) => f.endsWith('.json')).map((f) => join(PUBLIC_FIXTURES, d, f)));

interface Step { action: string; target: string; phase: string; status: string; reason?: string; calls: string[] }
interface EvidenceJson { kind: string; id: string; of: string; locked: boolean; copiedTo: string | null }
interface Doc { incidents: { id: string; playbook: string | null; status: string; escalated: boolean; steps: Step[]; evidence: EvidenceJson[] }[]; audit: { records: number; head: string; file: string }; report: { html: string; markdown: string } }

const stepOf = (doc: Doc, action: string) => doc.incidents.flatMap((i) => i.steps).find((s) => s.action === action);

describe('cordon tabletop', () => {
  it('replays every public GuardDuty and Security Hub fixture on the simulated estate (exit 0, never 2)', async () => {
    const r = await cordon(['tabletop', '--json', ...publicFiles]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Doc;
    expect(doc.incidents).toHaveLength(publicFiles.length);
    // The three GuardDuty samples name i-99999999 in three regions: EC2 is regional, so each is its own host.
    const ec2 = doc.incidents.filter((i) => i.playbook === 'aws-ec2-compromise');
    expect(ec2).toHaveLength(3);
    // No sample host is in an Auto Scaling group: detach-from-autoscaling finds nothing to change.
    expect(ec2.flatMap((i) => i.steps.map((s) => (s.action === 'detach-from-autoscaling' ? s.reason : s.status)))).toEqual(
      Array(3).fill(['not-applicable', 'succeeded', 'succeeded', 'succeeded']).flat(),
    );
    expect(ec2.map((i) => i.status)).toEqual(['contained', 'contained', 'contained']);
    const quarantine = stepOf(doc, 'quarantine-instance');
    expect(quarantine?.status).toBe('succeeded');
    expect(quarantine?.calls).toContain('ec2:ModifyInstanceAttribute');
    expect(stepOf(doc, 'snapshot-volumes')?.calls).toContain('ec2:CreateSnapshots');
    // DESIGN §3 evidence: every snapshot of every EC2 incident is listed, and locked (issue 13).
    for (const incident of ec2) {
      const snapshots = incident.evidence.filter((e) => e.kind === 'ebs-snapshot');
      expect(snapshots.length).toBeGreaterThan(0);
      expect(snapshots.map((e) => ({ locked: e.locked, copiedTo: e.copiedTo, of: e.of.slice(0, 4) }))).toEqual(snapshots.map(() => ({ locked: true, copiedTo: null, of: 'vol-' })));
    }
    expect(stepOf(doc, 'snapshot-volumes')?.calls).toContain('ec2:LockSnapshot');
    expect(stepOf(doc, 'block-s3-public-access')?.calls).toContain('s3:PutPublicAccessBlock');
    expect(stepOf(doc, 'update-finding')?.calls).toContain('securityhub:BatchUpdateFindings');
    // The audit head printed is the head of a chain that verifies.
    const verify = await cordon(['audit', 'verify', doc.audit.file, '--json']);
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, records: doc.audit.records, head: doc.audit.head });
    expect(existsSync(doc.report.html)).toBe(true);
  });

  it('with a forensic account configured, every snapshot is locked and copied there under its KMS key', async () => {
    const env = { CORDON_FORENSIC_ACCOUNT: '999988887777', CORDON_FORENSIC_KMS_KEY: 'arn:aws:kms:us-east-1:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab', CORDON_SNAPSHOT_LOCK_MODE: 'compliance', CORDON_SNAPSHOT_LOCK_DAYS: '7' };
    const r = await cordon(['tabletop', '--json', join(FIXTURES, 'guardduty/derived-SSHBruteForce.bare.json')], { env });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Doc;
    const snapshots = doc.incidents[0]?.evidence.filter((e) => e.kind === 'ebs-snapshot') ?? [];
    expect(snapshots.length).toBeGreaterThan(0);
    for (const e of snapshots) expect(e).toMatchObject({ locked: true, copiedTo: expect.stringMatching(/^999988887777:snap-[0-9a-f]{17}$/) });
    expect(stepOf(doc, 'snapshot-volumes')?.calls).toEqual(expect.arrayContaining(['ec2:CopySnapshot', 'ec2:ModifySnapshotAttribute', 'ec2:LockSnapshot']));
    // A bad setting is bad input: one line naming it, nothing acted on.
    const bad = await cordon(['tabletop', '--json', join(FIXTURES, 'guardduty/derived-SSHBruteForce.bare.json')], { env: { CORDON_FORENSIC_ACCOUNT: '999988887777' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('CORDON_FORENSIC_KMS_KEY');
  });

  it('contains Defender alerts on Azure with ARM-named calls', async () => {
    const r = await cordon(['tabletop', '--json', join(FIXTURES, 'defender/alert.cloudevent.json')]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Doc;
    expect(doc.incidents[0]?.playbook).toBe('azure-vm-compromise');
    expect(stepOf(doc, 'quarantine-vm')?.calls).toContain('Microsoft.Network/networkInterfaces/write');
    expect(stepOf(doc, 'snapshot-disks')?.calls).toContain('Microsoft.Compute/snapshots/write');
    expect(stepOf(doc, 'snapshot-disks')?.calls).toContain('Microsoft.Authorization/locks/write');
    // Every disk snapshot is listed, locked (CanNotDelete).
    const disks = doc.incidents[0]?.evidence.filter((e) => e.kind === 'disk-snapshot') ?? [];
    expect(disks.length).toBeGreaterThan(0);
    expect(disks.every((e) => e.locked && e.copiedTo === null)).toBe(true);
  });

  it('contains Defender for Storage and Entra identity alerts end to end', async () => {
    const r = await cordon(['tabletop', '--json', join(FIXTURES, 'defender/derived-storage-anonymous-access.json'), join(FIXTURES, 'graph/derived-user-credential-access.json'), join(FIXTURES, 'defender/alert-suspicious-screensaver.json')]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Doc;
    expect(doc.incidents.map((i) => i.playbook)).toEqual(['azure-storage-exposure', 'azure-identity-compromise', 'azure-vm-compromise']);
    expect(stepOf(doc, 'block-storage-public-access')?.calls).toContain('Microsoft.Storage/storageAccounts/write');
    expect(stepOf(doc, 'revoke-user-sessions')?.calls).toContain('graph:revokeSignInSessions');
    expect(stepOf(doc, 'update-alert')?.status).toBe('succeeded');
    expect(doc.incidents.every((i) => i.status === 'contained')).toBe(true);
  });

  it('a permanent fault fails one step, the other branch still finishes, exit 1 and the incident escalates', async () => {
    const file = join(PUBLIC_FIXTURES, 'guardduty/sample-Trojan.EC2-DGADomainRequest.B.bare.json');
    const r = await cordon(['tabletop', '--json', '--faults', 'ec2:CreateSnapshots=error', file]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as Doc;
    // The failed step is preservation: containment rests on the footholds, all closed; the incident still escalates.
    expect(doc.incidents[0]).toMatchObject({ status: 'contained', escalated: true, eviction: { open: 0 } });
    expect(stepOf(doc, 'snapshot-volumes')?.status).toBe('failed');
    expect(stepOf(doc, 'quarantine-instance')?.status).toBe('succeeded');
    const audit = readFileSync(doc.audit.file, 'utf8');
    expect(audit).toContain('"errorClass":"Transient"');
  });

  it('throttling is retried and succeeds', async () => {
    const file = join(PUBLIC_FIXTURES, 'guardduty/sample-Trojan.EC2-DGADomainRequest.B.bare.json');
    const r = await cordon(['tabletop', '--json', '--faults', 'ec2:ModifyInstanceAttribute=throttle:3', file]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Doc;
    const step = stepOf(doc, 'quarantine-instance');
    expect(step?.status).toBe('succeeded');
    expect(step?.calls.filter((c) => c === 'ec2:ModifyInstanceAttribute').length).toBeGreaterThanOrEqual(4);
  });

  it('rejects bad input before acting: exit 2, nothing run', async () => {
    const r = await cordon(['tabletop', join(PUBLIC_FIXTURES, 'securityhub/asr-simdata-afsbp-s3.8.json'), join(FIXTURES, 'bad/unknown-shape.json')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/unknown-shape\.json: unrecognized event/);
    expect(existsSync(join(r.home, 'tabletop'))).toBe(false);
    const faults = await cordon(['tabletop', '--faults', 'ec2:Nope=explode', join(PUBLIC_FIXTURES, 'securityhub/asr-simdata-afsbp-s3.8.json')]);
    expect(faults.code).toBe(2);
    expect(faults.stderr).toMatch(/--faults: 'ec2:Nope=explode'/);
  });

  it('runs the bundled default scenario (what npm start runs) and writes the report', async () => {
    const r = await cordon(['tabletop', '--scenario', 'default']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/quarantine-instance .* succeeded/);
    expect(r.stdout).toMatch(/quarantine-vm .* succeeded/);
    // Eviction, not just API calls: each AWS incident lists the footholds it closed, and by what.
    expect(r.stdout).toMatch(/foothold connection +i-99999999 → 198\.51\.100\.23:443\/tcp +closed by quarantine-instance/);
    expect(r.stdout).toMatch(/foothold instance-metadata +i-99999999:instance-profile +closed by revoke-instance-credentials/);
    expect(r.stdout).toMatch(/foothold public-read +s3:\/\/example \(policy\) +closed by block-s3-public-access/);
    const html = r.stdout.match(/Report:\s+(\S+report\.html)/)?.[1];
    const report = html ? readFileSync(html, 'utf8') : '';
    expect(report).toContain('GDPR Art. 33');
    expect(report).toContain('connection i-99999999 → 198.51.100.23:443/tcp (closed by quarantine-instance)');
    expect(report).toContain('public-read s3://example (policy) (closed by block-s3-public-access)');
  });

  it('audit verify names the first bad line of a tampered log', async () => {
    const r = await cordon(['tabletop', '--json', join(PUBLIC_FIXTURES, 'securityhub/asr-simdata-afsbp-s3.8.json')]);
    const { file } = (JSON.parse(r.stdout) as Doc).audit;
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[2] = (lines[2] ?? '').replace('"event":"', '"event":"x');
    writeFileSync(file, lines.join('\n'));
    const v = await cordon(['audit', 'verify', file]);
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(/audit\.jsonl:3: /);
  });
});
