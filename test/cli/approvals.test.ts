import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cordon, PUBLIC_FIXTURES } from './harness.js';

/** The public GuardDuty sample, with its instance tagged for approval (the tag a customer would set). */
function taggedFinding(): string {
  const finding = JSON.parse(readFileSync(join(PUBLIC_FIXTURES, 'guardduty/sample-Trojan.EC2-DGADomainRequest.B.bare.json'), 'utf8'));
  finding.resource.instanceDetails.tags.push({ key: 'cordon:approval', value: 'required' });
  const file = join(mkdtempSync(join(tmpdir(), 'cordon-approval-')), 'finding.json');
  writeFileSync(file, JSON.stringify(finding));
  return file;
}

interface Step { action: string; status: string; reason?: string }
const steps = (stdout: string): Step[] => JSON.parse(stdout).incidents[0].steps;

describe('approval gate (cordon:approval=required)', () => {
  it('a rejection skips the step with the reason; a timeout fails it and escalates', async () => {
    const file = taggedFinding();
    const rejected = await cordon(['tabletop', '--json', '--approvals', 'reject', file]);
    expect(rejected.code).toBe(0);
    // Containment waits and is rejected; preservation never waits for a tag (DESIGN.md §4), so the evidence is kept.
    const byAction = Object.fromEntries(steps(rejected.stdout).map((s) => [s.action, s]));
    expect(byAction['quarantine-instance']).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/rejected/) });
    expect(byAction['snapshot-volumes']?.status).toBe('succeeded');
    const timedOut = await cordon(['tabletop', '--json', '--approvals', 'timeout', file]);
    expect(timedOut.code).toBe(1);
    // A containment step that failed is never contained (DESIGN §3); the incident escalates.
    expect(JSON.parse(timedOut.stdout).incidents[0]).toMatchObject({ status: 'not-contained', escalated: true });
  });

  it('waits for a person: cordon approve from elsewhere resumes the workflow', async () => {
    const file = taggedFinding();
    const home = mkdtempSync(join(tmpdir(), 'cordon-approve-'));
    const running = cordon(['tabletop', '--json', '--approvals', 'person', file], { home });
    // Find the exercise's home and wait for the pending approvals to appear.
    let runHome = '';
    for (let i = 0; i < 200 && !runHome; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const dir = join(home, 'tabletop');
      const run = existsSync(dir) ? readdirSync(dir)[0] : undefined;
      if (run && existsSync(join(dir, run, 'cordon.db'))) runHome = join(dir, run);
    }
    expect(runHome).not.toBe('');
    const incident = JSON.parse((await cordon(['plan', '--json', '--mode', 'tabletop', file])).stdout).incidents[0].id as string;
    let approved = 0;
    // Three gated steps: detach-from-autoscaling, quarantine-instance, revoke-instance-credentials (in turn); snapshot-volumes never waits.
    for (let i = 0; i < 400 && approved < 3; i++) {
      const r = await cordon(['approve', incident, '--by', 'oncall@example.com'], { home: runHome });
      approved += (r.stdout.match(/^approved /gm) ?? []).length;
      if (approved < 3) await new Promise((r) => setTimeout(r, 50));
    }
    const result = await running;
    expect(result.code).toBe(0);
    expect(Object.fromEntries(steps(result.stdout).map((s) => [s.action, s.reason === 'not-applicable' ? 'not-applicable' : s.status]))).toEqual({
      'detach-from-autoscaling': 'not-applicable',
      'quarantine-instance': 'succeeded',
      'revoke-instance-credentials': 'succeeded',
      'snapshot-volumes': 'succeeded',
    });
    const audit = readFileSync(join(runHome, 'audit.jsonl'), 'utf8');
    expect(audit).toContain('"event":"approval.approved"');
    expect(audit).toContain('oncall@example.com');
  });

  it('approve with nothing pending is a clear error', async () => {
    const r = await cordon(['approve', 'inc-0123456789abcdef']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nothing is waiting for approval/);
    expect((await cordon(['reject', 'inc-0123456789abcdef'])).stderr).toMatch(/--reason is required/);
  });
});
