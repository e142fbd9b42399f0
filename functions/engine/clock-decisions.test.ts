import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clocksFor } from '../core/clocks/clocks.js';
import type { BreachAssessment, ClockRegime } from '../core/model.js';
import { AuditLog } from '../records/audit-log.js';
import { sampleIncident } from '../../test/support/records/case-store.contract.js';
import { CaseStoreError } from '../records/case-store.js';
import { SqliteCaseStore } from '../records/sqlite-case-store.js';
import { closeNotNotifiable, correctIncidentAwareness, recordNotification, type DecisionDeps } from './clock-decisions.js';

const OPENED = '2026-05-04T09:30:00.000Z';
const INC = 'inc-0123456789abcdef';
const assessment: BreachAssessment = { personalData: 'yes', status: 'notifiable', basis: 'tag personal-data=customer-records on i-0a1b', trigger: 'compromise', specialCategory: false, public: false };

let home: string;
let store: SqliteCaseStore;
let audit: AuditLog;
const deps = (now: string): DecisionDeps => ({ store, audit, now: new Date(now) });
const events = () =>
  readFileSync(join(home, 'audit.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { event: string; data: Record<string, unknown> });

async function openIncident(regimes: ClockRegime[]): Promise<void> {
  await store.putIncident({ ...sampleIncident(INC), assessment }, OPENED);
  for (const c of clocksFor(regimes, new Date(OPENED))) await store.openClock(INC, c, { openedAt: OPENED });
}

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'cordon-decisions-'));
  store = SqliteCaseStore.inHome(home);
  audit = AuditLog.inHome(home);
});
afterEach(async () => {
  await store.close();
  rmSync(home, { recursive: true, force: true });
});

describe('NIS2 final report (Art. 23(4)(d))', () => {
  it('is due one month after the recorded submission of the incident notification', async () => {
    await openIncident(['nis2-early-warning', 'nis2-notification', 'nis2-final']);
    // Until the notification is recorded: one month after its deadline (7 May + 1 month).
    expect((await store.getClock(INC, 'nis2-final'))?.deadline).toBe('2026-06-07T09:30:00.000Z');
    const done = await recordNotification(deps('2026-05-05T16:45:00.000Z'), INC, 'nis2-notification', 'CSIRT-2026-118', 'ciso@example.eu');
    expect(done.onTime).toBe(true);
    expect(done.anchored?.deadline).toBe('2026-06-05T16:45:00.000Z');
    const final = await store.getClock(INC, 'nis2-final');
    expect(final).toMatchObject({ state: 'open', deadline: '2026-06-05T16:45:00.000Z', anchor: { previousDeadline: '2026-06-07T09:30:00.000Z', eventAt: '2026-05-05T16:45:00.000Z' } });
    expect(events().find((e) => e.event === 'clock.anchored')?.data).toMatchObject({ regime: 'nis2-final', deadline: '2026-06-05T16:45:00.000Z', submittedAt: '2026-05-05T16:45:00.000Z' });
    // A later awareness correction moves the other clocks, not the anchored final report.
    const corrected = await correctIncidentAwareness(deps('2026-05-06T08:00:00.000Z'), INC, { awareAt: new Date('2026-05-04T07:00:00.000Z'), reason: 'SOC ticket', by: 'analyst' });
    expect(corrected.corrected.find((c) => c.regime === 'nis2-final')?.deadline).toBe('2026-06-05T16:45:00.000Z');
    expect(corrected.refused.map((r) => r.regime)).toEqual(['nis2-notification']);
  });

  it('the twin: a notification under another regime leaves the final report where it was', async () => {
    await openIncident(['nis2-early-warning', 'nis2-notification', 'nis2-final']);
    await recordNotification(deps('2026-05-05T08:00:00.000Z'), INC, 'nis2-early-warning', 'CSIRT-EW-7', 'ciso@example.eu');
    expect((await store.getClock(INC, 'nis2-final'))?.deadline).toBe('2026-06-07T09:30:00.000Z');
  });
});

describe('not notifiable (GDPR Art. 33(5))', () => {
  it('closes the clock, keeps the decision and rationale in the register, and audits both', async () => {
    await openIncident(['gdpr-art33']);
    const done = await closeNotNotifiable(deps('2026-05-05T10:00:00.000Z'), INC, 'gdpr-art33', 'the host held only build artefacts; no personal data', 'dpo@example.eu');
    expect(done.clock).toMatchObject({ state: 'closed', outcome: 'not-notifiable', rationale: 'the host held only build artefacts; no personal data' });
    expect(await store.listRegister()).toMatchObject([
      { incident: INC, status: 'not-notifiable', rationale: 'the host held only build artefacts; no personal data', decidedBy: 'dpo@example.eu', decidedAt: '2026-05-05T10:00:00.000Z' },
    ]);
    const log = events();
    expect(log.find((e) => e.event === 'clock.closed')?.data).toMatchObject({ regime: 'gdpr-art33', outcome: 'not-notifiable', by: 'dpo@example.eu' });
    expect(log.find((e) => e.event === 'register.decided')?.data).toMatchObject({ status: 'not-notifiable', previous: 'notifiable', rationale: 'the host held only build artefacts; no personal data' });
    expect(await store.listOpenClocks()).toEqual([]);
  });

  it('closes the Art. 34 clock with the Art. 33 decision (no risk is no high risk); twin: a NIS2 decision leaves Art. 34 open', async () => {
    await openIncident(['gdpr-art33', 'gdpr-art34', 'nis2-early-warning']);
    await closeNotNotifiable(deps('2026-05-05T10:00:00.000Z'), INC, 'nis2-early-warning', 'not a significant incident', 'ciso@example.eu');
    expect((await store.getClock(INC, 'gdpr-art34'))?.state).toBe('open');
    const done = await closeNotNotifiable(deps('2026-05-05T11:00:00.000Z'), INC, 'gdpr-art33', 'encrypted volume, key not exposed', 'dpo@example.eu');
    expect(done.art34).toMatchObject({ state: 'closed', outcome: 'not-notifiable', rationale: expect.stringMatching(/^encrypted volume, key not exposed \(follows the gdpr-art33 decision/) });
    expect(events().filter((e) => e.event === 'clock.closed').map((e) => e.data['regime'])).toEqual(['nis2-early-warning', 'gdpr-art33', 'gdpr-art34']);
    expect(await store.listOpenClocks()).toEqual([]);
  });

  it('settles an assessment that opened no clock, and refuses a second decision', async () => {
    await store.putIncident({ ...sampleIncident(INC), assessment: { ...assessment, status: 'assessing', personalData: 'unknown' } }, OPENED);
    const done = await closeNotNotifiable(deps('2026-05-05T10:00:00.000Z'), INC, 'gdpr-art33', 'S3.8 on a bucket of public marketing assets', 'dpo@example.eu');
    expect(done.clock).toBeUndefined();
    expect(done.register?.status).toBe('not-notifiable');
    await expect(closeNotNotifiable(deps('2026-05-05T11:00:00.000Z'), INC, 'gdpr-art33', 'again', 'dpo@example.eu')).rejects.toThrow(CaseStoreError);
  });

  it('a recorded GDPR notification marks the register notified', async () => {
    await openIncident(['gdpr-art33']);
    const done = await recordNotification(deps('2026-05-08T10:00:00.000Z'), INC, 'gdpr-art33', 'CNIL-2026-0412', 'dpo@example.eu');
    expect(done.onTime).toBe(false);
    expect(done.register).toMatchObject({ status: 'notified', decidedBy: 'dpo@example.eu' });
  });
});

describe('awareness corrections', () => {
  it('refuses awareness in the future, and audits the refusal; nothing changes', async () => {
    await openIncident(['gdpr-art33']);
    const now = '2026-05-05T10:00:00.000Z';
    await expect(correctIncidentAwareness(deps(now), INC, { awareAt: new Date('2030-01-01T00:00:00Z'), reason: 'typo', by: 'analyst' })).rejects.toThrow(/in the future/);
    expect((await store.getClock(INC, 'gdpr-art33'))?.awareAt).toBe(OPENED);
    expect(events().at(-1)).toMatchObject({ event: 'clock.correction-refused', data: { awareAt: '2030-01-01T00:00:00.000Z', by: 'analyst' } });
  });

  it('refuses awareness later than the incident was opened (it would stretch the deadline)', async () => {
    await openIncident(['gdpr-art33']);
    await expect(
      correctIncidentAwareness(deps('2026-05-05T10:00:00.000Z'), INC, { awareAt: new Date('2026-05-04T12:00:00Z'), reason: 'later', by: 'analyst' }),
    ).rejects.toThrow(/later than the incident was opened/);
  });

  it('moves awareness earlier; a closed clock is refused with a message, and audited', async () => {
    await openIncident(['gdpr-art33', 'nis2-early-warning']);
    await recordNotification(deps('2026-05-04T20:00:00.000Z'), INC, 'nis2-early-warning', 'EW-1', 'ciso');
    const done = await correctIncidentAwareness(deps('2026-05-05T10:00:00.000Z'), INC, { awareAt: new Date('2026-05-03T22:00:00Z'), reason: 'alert seen at 22:00', by: 'analyst' });
    expect(done.corrected).toMatchObject([{ regime: 'gdpr-art33', deadline: '2026-05-06T22:00:00.000Z' }]);
    expect(done.refused).toMatchObject([{ regime: 'nis2-early-warning', reason: expect.stringMatching(/is closed/) }]);
    expect(events().filter((e) => e.event === 'clock.correction-refused')).toHaveLength(1);
    expect(events().filter((e) => e.event === 'clock.awareness-corrected')).toHaveLength(1);
  });
});
