import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIM_CREDENTIALS } from '../../functions/adapters/aws/clients.js';
import { startSimulatedEstate, type SimulatedEstate } from '../../functions/sim/estate.js';
import { cordon } from './harness.js';

const INSTANCE = 'arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc1234def567890';
const BUCKET = 'arn:aws:s3:::model-weights';
const SCOPE = { CORDON_ACCOUNTS: '111122223333' };

describe('cordon run (manual)', () => {
  it('is a dry run by default and prints the exact API calls', async () => {
    const r = await cordon(['run', 'aws-ec2-compromise', '--target', INSTANCE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Dry run');
    expect(r.stdout).toMatch(/ec2:ModifyInstanceAttribute .*i-0abc1234def567890/);
    expect(r.stdout).toContain('ec2:CreateSnapshots');
    const json = JSON.parse((await cordon(['run', 'aws-ec2-compromise', '--target', INSTANCE, '--json'])).stdout);
    expect(json.dryRun).toBe(true);
    expect(json.calls.flatMap((c: { calls: { operation: string }[] }) => c.calls.map((x) => x.operation))).toContain('ec2:ModifyInstanceAttribute');
  });

  it('rejects a target the playbook cannot act on, naming --target (exit 2)', async () => {
    const r = await cordon(['run', 'aws-ec2-compromise', '--target', BUCKET]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--target/);
    expect((await cordon(['run', 'no-such-playbook', '--target', INSTANCE])).code).toBe(2);
    expect((await cordon(['run', 'aws-ec2-compromise'])).stderr).toMatch(/--target is required/);
  });

  it('--execute --sim acts on the simulated estate', async () => {
    const r = await cordon(['run', 'aws-ec2-compromise', '--target', INSTANCE, '--execute', '--sim', '--json']);
    expect(r.code).toBe(0);
    const inc = JSON.parse(r.stdout).incidents[0];
    // No Auto Scaling group and no instance profile on this host: those two steps find nothing to change.
    expect(inc.steps.map((s: { action: string; status: string; reason?: string }) => [s.action, s.reason ?? s.status])).toEqual([
      ['detach-from-autoscaling', 'not-applicable'],
      ['quarantine-instance', 'succeeded'],
      ['revoke-instance-credentials', 'not-applicable'],
      ['snapshot-volumes', 'succeeded'],
    ]);
  });
});

describe('cordon run --execute against the endpoint the SDK is configured for, then clocks', () => {
  let estate: SimulatedEstate;
  const saved = { ...process.env };
  const home = mkdtempSync(join(tmpdir(), 'cordon-run-'));
  beforeAll(async () => {
    estate = await startSimulatedEstate({ file: { aws: { account: '111122223333', region: 'eu-west-1', buckets: [{ name: 'model-weights' }] } } });
    // The SDK's own configuration: what a real operator's shell would hold.
    Object.assign(process.env, { AWS_ENDPOINT_URL: estate.url, AWS_ACCESS_KEY_ID: SIM_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: SIM_CREDENTIALS.secretAccessKey, AWS_REGION: 'eu-west-1' });
  });
  afterAll(async () => {
    process.env = saved;
    await estate.close();
  });

  it('refuses to act in a real account when no allowed accounts are configured (exit 2, nothing called)', async () => {
    const before = estate.server.calls.length;
    const r = await cordon(['run', 'aws-s3-data-exposure', '--target', BUCKET, '--account', '111122223333', '--execute'], { home: mkdtempSync(join(tmpdir(), 'cordon-run-')) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/set CORDON_ACCOUNTS/);
    expect(estate.server.calls.length).toBe(before);
  });

  it('blocks public access, opens the GDPR clock; a re-run changes nothing', async () => {
    const first = await cordon(['run', 'aws-s3-data-exposure', '--target', BUCKET, '--account', '111122223333', '--execute', '--json'], { home, env: SCOPE });
    expect(first.code).toBe(0);
    const steps = JSON.parse(first.stdout).incidents[0].steps as { action: string; status: string; calls: string[] }[];
    expect(steps.find((s) => s.action === 'block-s3-public-access')?.status).toBe('succeeded');
    expect(estate.aws.buckets['model-weights']?.publicAccessBlock).toMatchObject({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });

    const again = await cordon(['run', 'aws-s3-data-exposure', '--target', BUCKET, '--account', '111122223333', '--execute', '--json'], { home, env: SCOPE });
    expect(again.code).toBe(0);
    const second = JSON.parse(again.stdout).incidents[0].steps as { status: string; reason?: string }[];
    expect(second.every((s) => s.status === 'skipped' && /already-done/.test(s.reason ?? ''))).toBe(true);
  });

  it('lists the open clock, records the notification, and closes it', async () => {
    const list = JSON.parse((await cordon(['clocks', '--json'], { home })).stdout);
    expect(list.clocks).toHaveLength(1);
    const { incident, regime } = list.clocks[0];
    expect(regime).toBe('gdpr-art33');
    expect(list.clocks[0].msLeft).toBeGreaterThan(71 * 3_600_000);
    const text = await cordon(['clocks'], { home });
    expect(text.stdout).toMatch(/gdpr-art33 .* 2d 23h/);
    const notify = await cordon(['clocks', 'notify', incident, '--regime', 'gdpr-art33', '--reference', 'DPA-2026-0042', '--by', 'dpo@example.com'], { home });
    expect(notify.code).toBe(0);
    expect(JSON.parse((await cordon(['clocks', '--json'], { home })).stdout).clocks).toEqual([]);
    const verify = await cordon(['audit', 'verify'], { home });
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/chain intact/);
  });
});
