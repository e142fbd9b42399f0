import { describe, expect, it } from 'vitest';
import { CallScheduler, classify, type CallClass, type SchedulerClock } from './call-scheduler.js';

/** A clock the test moves by hand: timers fire only when it is advanced past them. */
function fakeClock(): SchedulerClock & { advance(ms: number): Promise<void> } {
  let t = 0;
  let timers: { at: number; fn: () => void }[] = [];
  return {
    now: () => t,
    after: (ms, fn) => void timers.push({ at: t + ms, fn }),
    async advance(ms) {
      const end = t + ms;
      for (;;) {
        const due = timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((x) => x !== due);
        t = due.at;
        due.fn();
        await Promise.resolve();
      }
      t = end;
      await new Promise((r) => setImmediate(r));
    },
  };
}

const MIA = 'ec2:ModifyInstanceAttribute';

describe('call scheduler: containment first, within the buckets, nothing dropped', () => {
  it('lets a full bucket through at once and the rest at the refill rate', async () => {
    const clock = fakeClock();
    const s = new CallScheduler(() => ({ bucket: 2, refill: 1 }), clock);
    const done: number[] = [];
    for (let i = 0; i < 4; i++) void s.acquire('123456789012/us-east-1', MIA, 'isolate').then(() => done.push(i));
    await clock.advance(0);
    expect(done).toEqual([0, 1]);
    await clock.advance(1000);
    expect(done).toEqual([0, 1, 2]);
    await clock.advance(1000);
    expect(done).toEqual([0, 1, 2, 3]);
    expect(s.waiting()).toEqual({});
  });

  it('serves waiting isolation calls before termination protection, snapshots and finding updates, whatever their arrival', async () => {
    const clock = fakeClock();
    const s = new CallScheduler(() => ({ bucket: 1, refill: 1 }), clock);
    const order: string[] = [];
    const ask = (cls: CallClass, name: string) => void s.acquire('a/r', MIA, cls).then(() => order.push(name));
    ask('notify', 'first-come'); // takes the one token
    ask('notify', 'finding');
    ask('preserve', 'snapshot');
    ask('contain', 'protect-1');
    ask('isolate', 'isolate-1');
    ask('isolate', 'isolate-2');
    await clock.advance(10_000);
    expect(order).toEqual(['first-come', 'isolate-1', 'isolate-2', 'protect-1', 'snapshot', 'finding']);
    expect(s.stats.dispatched['a/r/ec2:ModifyInstanceAttribute']).toEqual({ notify: 2, preserve: 1, contain: 1, isolate: 2 });
  });

  it('keeps one bucket per account, region and API', async () => {
    const clock = fakeClock();
    const s = new CallScheduler(() => ({ bucket: 1, refill: 1 }), clock);
    const done: string[] = [];
    for (const [scope, key] of [['a/r1', MIA], ['a/r2', MIA], ['b/r1', MIA], ['a/r1', 'ec2:CreateTags'], ['a/r1', MIA]] as const) {
      void s.acquire(scope, key, 'isolate').then(() => done.push(`${scope} ${key}`));
    }
    await clock.advance(0);
    expect(done).toHaveLength(4);
    expect(s.waiting()).toEqual({ 'a/r1/ec2:ModifyInstanceAttribute': 1 });
  });

  it('does not hold back APIs without a bucket', async () => {
    const s = new CallScheduler(() => undefined, fakeClock());
    await expect(s.acquire('a/r', 'iam:GetRole', 'isolate')).resolves.toBeUndefined();
  });

  it('empties its bucket when the cloud still throttles (the bucket is shared with others)', async () => {
    const clock = fakeClock();
    const s = new CallScheduler(() => ({ bucket: 5, refill: 1 }), clock);
    await s.acquire('a/r', MIA, 'isolate');
    s.throttled('a/r', MIA);
    let went = false;
    void s.acquire('a/r', MIA, 'isolate').then(() => (went = true));
    await clock.advance(500);
    expect(went).toBe(false);
    await clock.advance(500);
    expect(went).toBe(true);
    expect(s.stats.throttled).toBe(1);
  });

  it('without priority classes (the twin) a waiting isolation call would go after earlier snapshots', async () => {
    const clock = fakeClock();
    const s = new CallScheduler(() => ({ bucket: 1, refill: 1 }), clock);
    const order: string[] = [];
    // Every call in one class = first come, first served: what the scheduler orders away.
    for (const name of ['first', 'snapshot', 'isolate']) void s.acquire('a/r', MIA, 'preserve').then(() => order.push(name));
    await clock.advance(10_000);
    expect(order).toEqual(['first', 'snapshot', 'isolate']);
  });
});

describe('call classes', () => {
  it('puts the foothold-closing path of a containment step first, its follow-ups second', () => {
    expect(classify('contain', 'ec2:ModifyInstanceAttribute', { InstanceId: 'i-1', Groups: ['sg-1'] })).toBe('isolate');
    expect(classify('contain', 'ec2:DescribeInstances', { InstanceIds: ['i-1'] })).toBe('isolate');
    expect(classify('contain', 'ec2:ModifyInstanceAttribute', { InstanceId: 'i-1', DisableApiTermination: { Value: true } })).toBe('contain');
    expect(classify('contain', 'ec2:CreateTags', {})).toBe('contain');
    expect(classify('preserve', 'ec2:CreateSnapshots', {})).toBe('preserve');
    expect(classify('notify', 'securityhub:BatchUpdateFindings', {})).toBe('notify');
    expect(classify(undefined, 'ec2:DescribeInstances', {})).toBe('notify');
  });
});
