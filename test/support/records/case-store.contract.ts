import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../../functions/core/model.js';
import { stepId } from '../../../functions/core/incident-id.js';
import { CaseStoreError, type CaseStore } from '../../../functions/records/case-store.js';

/** A realistic incident: GuardDuty's CryptoCurrency finding on one instance, planned by aws-ec2-compromise. */
export function sampleIncident(id = 'inc-0123456789abcdef'): Incident {
  const instance = { type: 'AwsEc2Instance' as const, id: 'arn:aws:ec2:us-east-1:123456789012:instance/i-0a1b2c3d4e5f60718' };
  return {
    id,
    finding: {
      id: '60c1f1a2b3c4d5e6f708192a3b4c5d6e',
      source: 'guardduty',
      cloud: 'aws',
      type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS',
      title: 'EC2 instance is querying a domain name that is associated with Bitcoin-related activity.',
      severity: 'high',
      account: '123456789012',
      region: 'us-east-1',
      observedAt: '2024-03-30T22:15:04.000Z',
      sample: false,
      resources: [{ ...instance, tags: { Name: 'web-1' } }],
    },
    playbook: 'aws-ec2-compromise',
    steps: [
      {
        id: stepId('quarantine-instance', instance),
        action: 'quarantine-instance',
        target: instance,
        phase: 'contain',
        dependsOn: [],
        account: '123456789012',
        region: 'us-east-1',
        approval: false,
        params: {},
      },
    ],
    trust: { trusted: true, reason: 'first-party producer aws/guardduty' },
    skipped: [],
    clocks: [{ regime: 'gdpr-art33', awareAt: '2024-03-30T22:20:00.000Z', deadline: '2024-04-02T22:20:00.000Z' }],
  };
}

const INC = 'inc-0123456789abcdef';
const OTHER = 'inc-fedcba9876543210';
const AT = '2024-03-30T22:20:00.000Z';
const gdpr = { regime: 'gdpr-art33' as const, awareAt: AT, deadline: '2024-04-02T22:20:00.000Z' };
const nis2 = { regime: 'nis2-early-warning' as const, awareAt: AT, deadline: '2024-03-31T22:20:00.000Z' };

async function refusal(p: Promise<unknown>): Promise<CaseStoreError['code']> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CaseStoreError);
  return (e as CaseStoreError).code;
}

/**
 * The one behaviour every CaseStore adapter must show. `makeStore` returns a fresh, empty store;
 * `openAgain` (optional) opens a second handle on the same data, as another process would.
 */
export function caseStoreContract(name: string, makeStore: () => Promise<{ store: CaseStore; openAgain?: () => Promise<CaseStore> }>): void {
  describe(`CaseStore contract: ${name}`, () => {
    let store: CaseStore;
    let openAgain: (() => Promise<CaseStore>) | undefined;
    beforeEach(async () => {
      ({ store, openAgain } = await makeStore());
    });
    afterEach(async () => {
      await store.close();
    });

    it('keeps the first record of a redelivered incident and tracks its status', async () => {
      const first = await store.putIncident(sampleIncident(), AT);
      expect(first.created).toBe(true);
      expect(first.record).toMatchObject({ id: INC, status: 'open', playbook: 'aws-ec2-compromise', createdAt: AT });
      const again = await store.putIncident(sampleIncident(), '2024-03-30T23:00:00.000Z');
      expect(again.created).toBe(false);
      expect(again.record.createdAt).toBe(AT);
      await store.putIncident(sampleIncident(OTHER), '2024-03-30T22:21:00.000Z');
      const updated = await store.setIncidentStatus(INC, 'contained', '2024-03-30T22:21:30.000Z');
      expect(updated).toMatchObject({ status: 'contained', updatedAt: '2024-03-30T22:21:30.000Z', createdAt: AT });
      expect((await store.getIncident(INC))?.incident.finding.type).toBe('CryptoCurrency:EC2/BitcoinTool.B!DNS');
      expect((await store.listIncidents()).map((r) => r.id)).toEqual([INC, OTHER]);
      expect(await store.getIncident('inc-0000000000000000')).toBeUndefined();
      expect(await refusal(store.setIncidentStatus('inc-0000000000000000', 'closed', AT))).toBe('not-found');
    });

    it('lets exactly one of many concurrent claims of a step win', async () => {
      const claims = await Promise.all(Array.from({ length: 12 }, (_, i) => store.claimStep(INC, 'quarantine-instance:i-1', { at: AT, owner: `cordon/test#${i}` })));
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await store.getStep(INC, 'quarantine-instance:i-1')).toMatchObject({ status: 'running', attempts: 1, startedAt: AT });
    });

    it('records a step outcome and reports it to a redelivery', async () => {
      expect(await store.claimStep(INC, 'snapshot-volumes:i-1', { at: AT, owner: 'cordon/tabletop' })).toBe(true);
      const done = await store.finishStep(INC, 'snapshot-volumes:i-1', {
        status: 'succeeded',
        before: { snapshots: [] },
        after: { snapshots: ['snap-0123'] },
        finishedAt: '2024-03-30T22:20:02.000Z',
      });
      expect(done).toMatchObject({ status: 'succeeded', owner: 'cordon/tabletop', after: { snapshots: ['snap-0123'] }, finishedAt: '2024-03-30T22:20:02.000Z' });
      expect(await store.claimStep(INC, 'snapshot-volumes:i-1', { at: AT, owner: 'cordon/automatic' })).toBe(false);
      expect(await refusal(store.finishStep(INC, 'snapshot-volumes:i-1', { status: 'skipped', reason: 'already-done', finishedAt: AT }))).toBe('conflict');
      expect(await refusal(store.finishStep(INC, 'nope', { status: 'skipped', reason: 'x', finishedAt: AT }))).toBe('not-found');
    });

    it('lets a failed step be claimed again, counting attempts', async () => {
      await store.claimStep(INC, 'quarantine-instance:i-1', { at: AT, owner: 'a' });
      await store.finishStep(INC, 'quarantine-instance:i-1', { status: 'failed', errorClass: 'Throttled', reason: 'RequestLimitExceeded', finishedAt: AT });
      expect(await store.getStep(INC, 'quarantine-instance:i-1')).toMatchObject({ status: 'failed', errorClass: 'Throttled', reason: 'RequestLimitExceeded' });
      expect(await store.claimStep(INC, 'quarantine-instance:i-1', { at: '2024-03-30T22:25:00.000Z', owner: 'b' })).toBe(true);
      expect(await store.getStep(INC, 'quarantine-instance:i-1')).toMatchObject({ status: 'running', attempts: 2, owner: 'b' });
      await store.claimStep(INC, 'snapshot-volumes:i-1', { at: '2024-03-30T22:19:00.000Z', owner: 'a' });
      expect((await store.listSteps(INC)).map((s) => s.stepId)).toEqual(['snapshot-volumes:i-1', 'quarantine-instance:i-1']);
      expect(await store.listSteps(OTHER)).toEqual([]);
    });

    it('lets a running claim be taken over only when it is named exactly or its lease ran out', async () => {
      const dead = { owner: 'cordon/tabletop/4242@host-a', startedAt: AT };
      expect(await store.claimStep(INC, 'q', { at: AT, owner: dead.owner })).toBe(true);
      // A live claim is not taken: neither by another owner nor by a stale rescuer naming an older claim.
      expect(await store.claimStep(INC, 'q', { at: '2024-03-30T22:21:00.000Z', owner: 'b', staleBefore: '2024-03-30T22:19:00.000Z' })).toBe(false);
      expect(await store.claimStep(INC, 'q', { at: '2024-03-30T22:21:00.000Z', owner: 'b', replaces: { owner: dead.owner, startedAt: '2024-03-30T22:00:00.000Z' } })).toBe(false);
      expect(await store.claimStep(INC, 'q', { at: '2024-03-30T22:21:00.000Z', owner: 'b', replaces: { owner: 'someone-else', startedAt: AT } })).toBe(false);
      // Named exactly (its owner died): several rescuers race, one wins.
      const rescues = await Promise.all(['r1', 'r2', 'r3'].map((owner) => store.claimStep(INC, 'q', { at: '2024-03-30T22:21:00.000Z', owner, replaces: dead })));
      expect(rescues.filter(Boolean)).toHaveLength(1);
      const taken = await store.getStep(INC, 'q');
      expect(taken).toMatchObject({ status: 'running', attempts: 2, takenOverFrom: dead.owner, startedAt: '2024-03-30T22:21:00.000Z' });
      const done = await store.finishStep(INC, 'q', { status: 'succeeded', finishedAt: '2024-03-30T22:22:00.000Z' });
      expect(done).toMatchObject({ status: 'succeeded', takenOverFrom: dead.owner });
      // A finished step is never taken over.
      expect(await store.claimStep(INC, 'q', { at: '2024-03-31T22:00:00.000Z', owner: 'c', staleBefore: '2024-03-31T21:00:00.000Z', replaces: { owner: taken?.owner ?? '', startedAt: '2024-03-30T22:21:00.000Z' } })).toBe(false);
      // The lease: a running claim older than staleBefore is abandoned.
      await store.claimStep(INC, 'lease', { at: AT, owner: 'slow' });
      expect(await store.claimStep(INC, 'lease', { at: '2024-03-30T22:50:00.000Z', owner: 'd', staleBefore: '2024-03-30T22:20:00.000Z' })).toBe(false);
      expect(await store.claimStep(INC, 'lease', { at: '2024-03-30T22:51:00.000Z', owner: 'd', staleBefore: '2024-03-30T22:21:00.000Z' })).toBe(true);
      expect(await store.getStep(INC, 'lease')).toMatchObject({ owner: 'd', takenOverFrom: 'slow', attempts: 2 });
      // The slow owner finishing late does not overwrite the new owner's claim; the new owner's finish counts.
      await expect(store.finishStep(INC, 'lease', { status: 'succeeded', finishedAt: '2024-03-30T22:52:00.000Z', owner: 'slow' })).rejects.toMatchObject({ code: 'conflict' });
      expect(await store.getStep(INC, 'lease')).toMatchObject({ status: 'running', owner: 'd' });
      expect(await store.finishStep(INC, 'lease', { status: 'succeeded', finishedAt: '2024-03-30T22:53:00.000Z', owner: 'd' })).toMatchObject({ status: 'succeeded', owner: 'd' });
    });

    it('counts actions per account by the hour, losing none under concurrency', async () => {
      await Promise.all(Array.from({ length: 10 }, () => store.recordAction('123456789012', '2024-03-30T22:59:59.000Z')));
      await store.recordAction('123456789012', '2024-03-30T20:00:00.000Z');
      await store.recordAction('210987654321', '2024-03-30T22:10:00.000Z');
      expect(await store.countActions('123456789012', '2024-03-30T22:30:00.000Z')).toBe(10);
      expect(await store.countActions('123456789012', '2024-03-30T20:30:00.000Z')).toBe(11);
      expect(await store.countActions('123456789012', '2024-03-30T23:00:00.000Z')).toBe(0);
      expect(await store.countActions('999999999999', '2024-03-30T00:00:00.000Z')).toBe(0);
    });

    it('reserves actions atomically: 60 concurrent reservations against a cap of 50, exactly 50 win', async () => {
      const results = await Promise.all(Array.from({ length: 60 }, () => store.reserveActions('123456789012', '2024-03-30T22:10:00.000Z', 1, 50)));
      expect(results.filter(Boolean)).toHaveLength(50);
      expect(await store.countActions('123456789012', '2024-03-30T22:00:00.000Z')).toBe(50);
      // Per account and per hour: another account, and the next hour, have their own room.
      expect(await store.reserveActions('210987654321', '2024-03-30T22:10:00.000Z', 1, 50)).toBe(true);
      expect(await store.reserveActions('123456789012', '2024-03-30T23:00:00.000Z', 1, 50)).toBe(true);
      // A reservation larger than the room left is refused whole.
      expect(await store.reserveActions('210987654321', '2024-03-30T22:10:00.000Z', 50, 50)).toBe(false);
      expect(await store.reserveActions('210987654321', '2024-03-30T22:10:00.000Z', 49, 50)).toBe(true);
    });

    it('keeps the kill switch: paused with its reason and who, then resumed', async () => {
      expect(await store.getPause()).toEqual({ paused: false });
      await store.setPause({ paused: true, reason: 'drill', by: 'alice', at: AT });
      expect(await store.getPause()).toEqual({ paused: true, reason: 'drill', by: 'alice', at: AT });
      await store.setPause({ paused: false, by: 'bob', at: AT });
      expect((await store.getPause()).paused).toBe(false);
    });

    it('opens a clock once per incident and regime', async () => {
      const opened = await Promise.all([1, 2, 3, 4].map(() => store.openClock(INC, gdpr, { openedAt: AT })));
      expect(opened.filter((o) => o.created)).toHaveLength(1);
      const again = await store.openClock(INC, { ...gdpr, deadline: '2030-01-01T00:00:00.000Z' }, { openedAt: '2024-03-31T00:00:00.000Z' });
      expect(again.created).toBe(false);
      expect(again.record).toMatchObject({ deadline: gdpr.deadline, openedAt: AT, state: 'open', reminderOffsetsHours: [24, 4], remindersSent: [] });
      await store.openClock(INC, nis2, { openedAt: AT, reminderOffsetsHours: [2, 12] });
      expect((await store.getClock(INC, 'nis2-early-warning'))?.reminderOffsetsHours).toEqual([12, 2]);
      expect((await store.listClocks(INC)).map((c) => c.regime).sort()).toEqual(['gdpr-art33', 'nis2-early-warning']);
      expect(await refusal(store.openClock(OTHER, gdpr, { openedAt: AT, reminderOffsetsHours: [0] }))).toBe('invalid');
    });

    it('sends each reminder once and closes a clock only with a notification reference', async () => {
      await store.openClock(INC, gdpr, { openedAt: AT });
      await store.openClock(OTHER, gdpr, { openedAt: AT });
      const sends = await Promise.all([1, 2, 3].map(() => store.recordReminder(INC, 'gdpr-art33', 24, '2024-04-01T22:20:00.000Z')));
      expect(sends.filter(Boolean)).toHaveLength(1);
      expect(await store.recordReminder(INC, 'gdpr-art33', 4, '2024-04-02T18:20:00.000Z')).toBe(true);
      expect((await store.getClock(INC, 'gdpr-art33'))?.remindersSent.map((r) => r.offsetHours)).toEqual([24, 4]);

      expect(await refusal(store.closeClock(INC, 'gdpr-art33', { reference: ' ', by: 'dpo@example.eu', at: AT }))).toBe('invalid');
      const closed = await store.closeClock(INC, 'gdpr-art33', { reference: 'CNIL-2024-0412', by: 'dpo@example.eu', at: '2024-04-01T09:00:00.000Z' });
      expect(closed).toMatchObject({ state: 'closed', notificationReference: 'CNIL-2024-0412', closedBy: 'dpo@example.eu', closedAt: '2024-04-01T09:00:00.000Z' });
      expect((await store.listOpenClocks()).map((c) => c.incident)).toEqual([OTHER]);
      expect(await refusal(store.closeClock(INC, 'gdpr-art33', { reference: 'again', by: 'x', at: AT }))).toBe('conflict');
      expect(await store.recordReminder(INC, 'gdpr-art33', 1, AT)).toBe(false);
      expect(await refusal(store.closeClock(INC, 'nis2-final', { reference: 'r', by: 'x', at: AT }))).toBe('not-found');
    });

    it('corrects awareness keeping the earlier times and the reason', async () => {
      await store.openClock(INC, gdpr, { openedAt: AT });
      await store.recordReminder(INC, 'gdpr-art33', 24, '2024-04-01T22:20:00.000Z');
      expect(await refusal(store.correctAwareness(INC, 'gdpr-art33', { awareAt: AT, deadline: AT, reason: '', by: 'x', at: AT }))).toBe('invalid');
      const corrected = await store.correctAwareness(INC, 'gdpr-art33', {
        awareAt: '2024-03-30T08:00:00.000Z',
        deadline: '2024-04-02T08:00:00.000Z',
        reason: 'SOC ticket shows the alert was seen at 08:00',
        by: 'analyst@example.eu',
        at: '2024-03-31T10:00:00.000Z',
      });
      expect(corrected).toMatchObject({ awareAt: '2024-03-30T08:00:00.000Z', deadline: '2024-04-02T08:00:00.000Z', remindersSent: [] });
      expect(corrected.awarenessCorrections).toEqual([
        {
          previousAwareAt: AT,
          previousDeadline: gdpr.deadline,
          awareAt: '2024-03-30T08:00:00.000Z',
          deadline: '2024-04-02T08:00:00.000Z',
          reason: 'SOC ticket shows the alert was seen at 08:00',
          by: 'analyst@example.eu',
          at: '2024-03-31T10:00:00.000Z',
        },
      ]);
      expect((await store.listOpenClocks())[0]?.deadline).toBe('2024-04-02T08:00:00.000Z');
    });

    it('keeps the breach register: one entry per incident from its assessment, decided once by a person with a rationale', async () => {
      const assessment = { personalData: 'yes' as const, status: 'notifiable' as const, basis: 'tag personal-data=customer-records on i-0a1b', trigger: 'compromise' as const, specialCategory: false, public: false };
      await store.putIncident({ ...sampleIncident(), assessment }, AT);
      await store.putIncident({ ...sampleIncident(), assessment: { ...assessment, status: 'assessing' } }, '2024-03-30T23:00:00.000Z'); // a redelivery keeps the first
      await store.putIncident(sampleIncident(OTHER), AT); // an incident recorded before assessments existed has no entry
      expect(await store.listRegister()).toEqual([
        { incident: INC, personalData: 'yes', status: 'notifiable', basis: assessment.basis, trigger: 'compromise', specialCategory: false, decidedBy: 'cordon', decidedAt: AT, openedAt: AT, shadow: false, history: [] },
      ]);
      expect(await refusal(store.decideAssessment(INC, { status: 'not-notifiable', by: 'dpo@example.eu', at: AT }))).toBe('invalid');
      expect(await refusal(store.decideAssessment(INC, { status: 'not-notifiable', rationale: 'encrypted at rest, key not exposed', by: ' ', at: AT }))).toBe('invalid');
      const decided = await store.decideAssessment(INC, { status: 'not-notifiable', rationale: 'encrypted at rest, key not exposed', by: 'dpo@example.eu', at: '2024-03-31T09:00:00.000Z' });
      expect(decided).toMatchObject({ status: 'not-notifiable', rationale: 'encrypted at rest, key not exposed', decidedBy: 'dpo@example.eu', decidedAt: '2024-03-31T09:00:00.000Z' });
      expect(decided.history).toEqual([{ status: 'notifiable', by: 'cordon', at: AT }]);
      expect(await refusal(store.decideAssessment(INC, { status: 'notified', by: 'x', at: AT }))).toBe('conflict');
      expect(await refusal(store.decideAssessment(OTHER, { status: 'notified', by: 'x', at: AT }))).toBe('not-found');
      expect((await store.getRegisterEntry(INC))?.status).toBe('not-notifiable');
      const shadow = await store.recordAssessment('inc-5555555555555555', assessment, { at: AT, shadow: true });
      expect(shadow.record.shadow).toBe(true);
    });

    it('closes a clock as not notifiable only with a rationale; anchors a deadline on an event; records a missed deadline once', async () => {
      await store.openClock(INC, gdpr, { openedAt: AT, shadow: true });
      expect((await store.getClock(INC, 'gdpr-art33'))?.shadow).toBe(true);
      expect(await refusal(store.closeClock(INC, 'gdpr-art33', { outcome: 'not-notifiable', rationale: ' ', by: 'dpo', at: AT }))).toBe('invalid');
      const closed = await store.closeClock(INC, 'gdpr-art33', { outcome: 'not-notifiable', rationale: 'no personal data on the host', by: 'dpo@example.eu', at: '2024-03-31T09:00:00.000Z' });
      expect(closed).toMatchObject({ state: 'closed', outcome: 'not-notifiable', rationale: 'no personal data on the host', closedBy: 'dpo@example.eu' });
      expect(closed.notificationReference).toBeUndefined();

      const final = { regime: 'nis2-final' as const, awareAt: AT, deadline: '2024-05-02T22:20:00.000Z' };
      await store.openClock(INC, final, { openedAt: AT });
      await store.recordReminder(INC, 'nis2-final', 24, '2024-05-01T22:20:00.000Z');
      const anchored = await store.anchorClock(INC, 'nis2-final', { event: 'nis2-notification submitted', eventAt: '2024-04-01T10:00:00.000Z', deadline: '2024-05-01T10:00:00.000Z', at: '2024-04-01T10:00:00.000Z' });
      expect(anchored).toMatchObject({ deadline: '2024-05-01T10:00:00.000Z', remindersSent: [], anchor: { previousDeadline: final.deadline, eventAt: '2024-04-01T10:00:00.000Z' } });

      expect(await store.recordMissed(INC, 'nis2-final', '2024-05-01T10:00:00.000Z')).toBe(true);
      expect(await store.recordMissed(INC, 'nis2-final', '2024-05-01T11:00:00.000Z')).toBe(false);
      expect((await store.getClock(INC, 'nis2-final'))?.missedAt).toBe('2024-05-01T10:00:00.000Z');
      expect(await store.recordMissed(INC, 'gdpr-art33', AT)).toBe(false); // closed: nothing to miss
      await store.closeClock(INC, 'nis2-final', { reference: 'CSIRT-1', by: 'x', at: AT });
      expect(await refusal(store.anchorClock(INC, 'nis2-final', { event: 'e', eventAt: AT, deadline: AT, at: AT }))).toBe('conflict');
    });

    it('runs approvals: request once, decide once, reject with a reason, time out', async () => {
      const req = { incident: INC, stepId: 'quarantine-instance:i-1', token: 'tok-1', requestedAt: AT, timeoutAt: '2024-03-30T23:20:00.000Z' };
      expect((await store.requestApproval(req)).created).toBe(true);
      const again = await store.requestApproval({ ...req, token: 'tok-2' });
      expect(again).toMatchObject({ created: false, record: { token: 'tok-1', status: 'pending' } });
      await store.requestApproval({ ...req, stepId: 'snapshot-volumes:i-1', token: 'tok-3', timeoutAt: '2024-03-30T22:50:00.000Z' });
      await store.requestApproval({ ...req, incident: OTHER, token: 'tok-4' });
      expect((await store.listPendingApprovals(INC)).map((a) => a.token).sort()).toEqual(['tok-1', 'tok-3']);
      expect(await store.listPendingApprovals()).toHaveLength(3);

      expect(await refusal(store.decideApproval(INC, req.stepId, { decision: 'rejected', by: 'oncall', at: AT }))).toBe('invalid');
      const approved = await store.decideApproval(INC, req.stepId, { decision: 'approved', by: 'oncall@example.eu', at: '2024-03-30T22:30:00.000Z' });
      expect(approved).toMatchObject({ status: 'approved', decidedBy: 'oncall@example.eu', decidedAt: '2024-03-30T22:30:00.000Z', token: 'tok-1' });
      expect(await refusal(store.decideApproval(INC, req.stepId, { decision: 'rejected', reason: 'late', by: 'x', at: AT }))).toBe('conflict');
      expect(await refusal(store.decideApproval(INC, 'nope', { decision: 'approved', by: 'x', at: AT }))).toBe('not-found');

      const rejected = await store.decideApproval(OTHER, req.stepId, { decision: 'rejected', reason: 'production database, isolate by hand', by: 'ciso', at: AT });
      expect(rejected).toMatchObject({ status: 'rejected', reason: 'production database, isolate by hand' });

      expect(await store.timeOutApprovals('2024-03-30T22:40:00.000Z')).toEqual([]);
      const timedOut = await store.timeOutApprovals('2024-03-30T22:50:00.000Z');
      expect(timedOut).toMatchObject([{ stepId: 'snapshot-volumes:i-1', status: 'timed-out', decidedBy: 'cordon/timeout' }]);
      expect(await store.listPendingApprovals()).toEqual([]);
      expect((await store.getApproval(INC, 'snapshot-volumes:i-1'))?.status).toBe('timed-out');
    });

    it('shows one handle’s writes to another handle on the same data', async () => {
      if (!openAgain) return;
      const second = await openAgain();
      try {
        await store.putIncident(sampleIncident(), AT);
        expect(await second.claimStep(INC, 's', { at: AT, owner: 'second' })).toBe(true);
        expect(await store.claimStep(INC, 's', { at: AT, owner: 'first' })).toBe(false);
        expect((await second.getIncident(INC))?.status).toBe('open');
      } finally {
        await second.close();
      }
    });
  });
}
