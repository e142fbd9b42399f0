import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nis2FinalDeadline } from '../../functions/core/clocks/clocks.js';
import { cordon, FIXTURES } from './harness.js';

const HOST = join(FIXTURES, 'clocks/guardduty-trojan-ec2-personal-data.json');
const POSTURE = join(FIXTURES, 'clocks/securityhub-s3.8-unclassified.json');

interface Doc {
  incidents: { id: string; clocks: { regime: string }[] }[];
  audit: { file: string };
}

/** A tabletop of `files`; returns the run directory (a CORDON_HOME for the clocks commands) and its document. */
async function exercise(files: string[], env: Record<string, string> = {}, extra: string[] = []): Promise<{ home: string; doc: Doc }> {
  const r = await cordon(['tabletop', '--json', ...extra, ...files], { env });
  expect(r.code).toBe(0);
  const doc = JSON.parse(r.stdout) as Doc;
  return { home: dirname(doc.audit.file), doc };
}

const auditEvents = (home: string) =>
  readFileSync(join(home, 'audit.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { event: string; incident: string | null; data: Record<string, unknown> });

describe('cordon clocks and cordon register', () => {
  it('closes a clock as not notifiable; the register keeps the rationale and who decided (the OS user), and the audit log has both', async () => {
    const { home, doc } = await exercise([HOST, POSTURE]);
    const host = doc.incidents.find((i) => i.clocks.length > 0);
    if (!host) throw new Error('the host incident opened no clock');
    const listed = JSON.parse((await cordon(['clocks', '--json'], { home })).stdout);
    expect(listed.clocks).toEqual([{ incident: host.id, regime: 'gdpr-art33', awareAt: expect.any(String), deadline: expect.any(String), status: 'open', shadow: false, msLeft: expect.any(Number) }]);

    const missing = await cordon(['clocks', 'close', host.id, '--regime', 'gdpr-art33', '--not-notifiable'], { home });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--rationale is required/);

    const rationale = 'forensics: the miner never read the CRM export directory; no personal data accessed';
    const closed = await cordon(['clocks', 'close', host.id, '--regime', 'gdpr-art33', '--not-notifiable', '--rationale', rationale], { home, env: { USER: 'dpo-jane' } });
    expect(closed.code).toBe(0);
    expect(closed.stdout).toContain('not notifiable, decided by dpo-jane');

    const register = JSON.parse((await cordon(['register', '--json'], { home })).stdout) as { entries: Record<string, unknown>[] };
    expect(register.entries).toHaveLength(2);
    expect(register.entries.find((e) => e.incident === host.id)).toEqual({
      incident: host.id,
      personalData: 'yes',
      status: 'not-notifiable',
      basis: expect.stringContaining('tag personal-data=customer-records'),
      rationale,
      decidedBy: 'dpo-jane',
      decidedAt: expect.any(String),
      shadow: false,
    });
    expect(register.entries.find((e) => e.incident !== host.id)).toMatchObject({ personalData: 'unknown', status: 'assessing', decidedBy: 'cordon', rationale: null });

    const events = auditEvents(home).filter((e) => e.incident === host.id);
    expect(events.find((e) => e.event === 'clock.closed')?.data).toMatchObject({ regime: 'gdpr-art33', outcome: 'not-notifiable', rationale, by: 'dpo-jane' });
    expect(events.find((e) => e.event === 'register.decided')?.data).toMatchObject({ status: 'not-notifiable', rationale, by: 'dpo-jane' });
    expect((await cordon(['audit', 'verify', join(home, 'audit.jsonl')])).code).toBe(0);

    // A closed clock's awareness is not corrected: refused with a message, audited, exit 2.
    const correctClosed = await cordon(['clocks', 'correct', host.id, '--regime', 'gdpr-art33', '--aware-at', '2020-01-01T00:00:00Z', '--reason', 'ticket'], { home });
    expect(correctClosed.code).toBe(2);
    expect(correctClosed.stderr).toMatch(/gdpr-art33 is closed/);
    expect(auditEvents(home).at(-1)?.event).toBe('clock.correction-refused');
    expect((await cordon(['register'], { home })).stdout).toContain('not-notifiable');
  });

  it('refuses awareness in the future (exit 2, nothing changed, the refusal audited)', async () => {
    const { home, doc } = await exercise([HOST]);
    const id = doc.incidents[0]?.id ?? '';
    const clocks = async () => (JSON.parse((await cordon(['clocks', '--json'], { home })).stdout).clocks as Record<string, unknown>[]).map(({ msLeft: _, ...c }) => c);
    const before = await clocks();
    const r = await cordon(['clocks', 'correct', id, '--aware-at', '2030-01-01T00:00:00Z', '--reason', 'typo', '--by', 'analyst'], { home });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/2030-01-01T00:00:00.000Z is in the future/);
    expect(await clocks()).toEqual(before);
    expect(auditEvents(home).at(-1)).toMatchObject({ event: 'clock.correction-refused', data: { by: 'analyst' } });
  });

  it('a recorded NIS2 incident notification moves the final report to one month after its submission', async () => {
    const { home, doc } = await exercise([HOST], { CORDON_NIS2: 'true' });
    const id = doc.incidents[0]?.id ?? '';
    const r = await cordon(['clocks', 'notify', id, '--regime', 'nis2-notification', '--reference', 'CSIRT-2026-118'], { home });
    expect(r.code).toBe(0);
    const anchored = auditEvents(home).find((e) => e.event === 'clock.anchored');
    const submittedAt = new Date(String(anchored?.data.submittedAt));
    const final = JSON.parse((await cordon(['clocks', '--json'], { home })).stdout).clocks.find((c: { regime: string }) => c.regime === 'nis2-final');
    expect(final.deadline).toBe(nis2FinalDeadline(submittedAt).toISOString());
    expect(anchored?.data.previousDeadline).not.toBe(final.deadline);
    expect(r.stdout).toContain(`nis2-final now due ${final.deadline}`);
  });
});

describe('the tabletop report of an exercise whose deadline passed', () => {
  it('says the deadline was missed, not how much time is left', async () => {
    const { home } = await exercise([HOST], {}, ['--follow-clocks']);
    const report = readFileSync(join(home, 'report.md'), 'utf8');
    expect(report).toMatch(/GDPR Art\. 33 notification .*MISSED — deadline .* passed with no notification recorded/);
    expect(report).toMatch(/24 h before \(.*\), 4 h before/);
    expect(report).not.toMatch(/open, \d+ d \d+ h left/);
    expect(auditEvents(home).some((e) => e.event === 'clock.missed')).toBe(true);
  });

  it('the twin: without following the clocks, the same exercise shows the clock open with its time left', async () => {
    const { home } = await exercise([HOST]);
    const report = readFileSync(join(home, 'report.md'), 'utf8');
    expect(report).toMatch(/open, 2 d 23 h left/);
    expect(report).not.toContain('MISSED');
  });
});
