import { AsyncLocalStorage } from 'node:async_hooks';
import type { Phase } from '../../core/model.js';
import { TokenBucket, bucketKey, type BucketSpec } from '../../core/rate-limits.js';

/**
 * Containment first under API rate limits. One scheduler serves every running incident of the
 * local engine: each rate-limited API of an account and region has a client-side token bucket
 * that mirrors the cloud's, and calls wait in one queue per bucket ordered by class, so the
 * calls that close footholds go before termination protection and tags, which go before
 * snapshots, which go before finding updates. A call waits; it is never dropped.
 */
export const CALL_CLASSES = ['isolate', 'contain', 'preserve', 'notify'] as const;
export type CallClass = (typeof CALL_CLASSES)[number];

/** What the scheduler needs of time: injected so tests drive it with a fake clock. */
export interface SchedulerClock {
  now(): number;
  /** Calls `fn` after `ms` milliseconds. */
  after(ms: number, fn: () => void): void;
}

export const realClock: SchedulerClock = {
  now: () => performance.now(),
  after: (ms, fn) => void setTimeout(fn, ms),
};

interface Waiter {
  rank: number;
  seq: number;
  go: () => void;
}

interface Lane {
  bucket: TokenBucket;
  queue: Waiter[];
  timer: boolean;
}

export interface SchedulerStats {
  /** Calls let through, per `scope/bucket key` and class. */
  dispatched: Record<string, Partial<Record<CallClass, number>>>;
  /** Throttling answers the cloud still gave (e.g. another consumer shares the bucket). */
  throttled: number;
}

export class CallScheduler {
  private readonly lanes = new Map<string, Lane>();
  private seq = 0;
  readonly stats: SchedulerStats = { dispatched: {}, throttled: 0 };

  constructor(
    /** The bucket of a bucket key (`ec2:CreateTags`), or undefined for an API that is not limited. */
    private readonly bucketOf: (key: string) => BucketSpec | undefined,
    private readonly clock: SchedulerClock = realClock,
  ) {}

  /**
   * Resolves when the call may go: at once if its bucket has a token and nothing of a higher
   * class is waiting, else when a refilled token comes to its turn.
   */
  acquire(scope: string, key: string, cls: CallClass): Promise<void> {
    const spec = this.bucketOf(key);
    if (!spec) return Promise.resolve();
    const id = `${scope}/${key}`;
    let lane = this.lanes.get(id);
    if (!lane) this.lanes.set(id, (lane = { bucket: new TokenBucket(spec, this.clock.now()), queue: [], timer: false }));
    const counts = (this.stats.dispatched[id] ??= {});
    return new Promise<void>((resolve) => {
      const waiter: Waiter = {
        rank: CALL_CLASSES.indexOf(cls),
        seq: this.seq++,
        go: () => {
          counts[cls] = (counts[cls] ?? 0) + 1;
          resolve();
        },
      };
      insertSorted(lane.queue, waiter);
      this.pump(lane);
    });
  }

  /** The cloud answered a call of this bucket with a throttling error: its bucket is empty, whatever ours says. */
  throttled(scope: string, key: string): void {
    this.stats.throttled += 1;
    this.lanes.get(`${scope}/${key}`)?.bucket.drain(this.clock.now());
  }

  /** Calls waiting, per lane (for tests and progress). */
  waiting(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [id, lane] of this.lanes) if (lane.queue.length > 0) out[id] = lane.queue.length;
    return out;
  }

  private pump(lane: Lane): void {
    while (lane.queue.length > 0 && lane.bucket.take(this.clock.now())) (lane.queue.shift() as Waiter).go();
    if (lane.queue.length === 0 || lane.timer) return;
    lane.timer = true;
    this.clock.after(Math.max(1, lane.bucket.waitMs(this.clock.now())), () => {
      lane.timer = false;
      this.pump(lane);
    });
  }
}

/** Highest class first, then first come first served. */
function insertSorted(queue: Waiter[], w: Waiter): void {
  let i = queue.length;
  while (i > 0 && (queue[i - 1] as Waiter).rank > w.rank) i--;
  queue.splice(i, 0, w);
}

/** The phase of the step the code is running for (set by the engine around each step). */
const phaseNow = new AsyncLocalStorage<Phase>();

export function withCallPhase<T>(phase: Phase, work: () => T): T {
  return phaseNow.run(phase, work);
}

/**
 * A call's class. In a containment step everything up to the foothold-closing call is `isolate`;
 * the containment step's follow-ups that close nothing (termination protection, tags) are `contain`.
 */
export function classify(phase: Phase | undefined, operation: string, input: Readonly<Record<string, unknown>>): CallClass {
  if (phase === 'preserve') return 'preserve';
  if (phase !== 'contain') return 'notify';
  if (operation === 'ec2:CreateTags') return 'contain';
  if (operation === 'ec2:ModifyInstanceAttribute' && input.Groups === undefined) return 'contain';
  return 'isolate';
}

/** A request that names anything (ids, filters, a page size) is filtered in EC2's bucket terms. */
function isFiltered(input: Readonly<Record<string, unknown>>): boolean {
  return Object.values(input).some((v) => v !== undefined);
}

/** The slice of the SDK's middleware stack used here; every v3 client has it. */
interface RelativeStack {
  addRelativeTo(
    mw: (next: (args: { input: unknown }) => Promise<unknown>, context: { commandName?: string }) => (args: { input: unknown }) => Promise<unknown>,
    options: { relation: 'after'; toMiddleware: string; name: string },
  ): void;
}

/**
 * Puts every attempt of every call of a client through the scheduler: inside the SDK's retry
 * middleware, so each retry waits for a token too, and before signing.
 */
export function addCallScheduler(client: { middlewareStack: unknown }, service: string, scheduler: CallScheduler, scope: string): void {
  (client.middlewareStack as RelativeStack).addRelativeTo(
    (next, context) => async (args) => {
      const operation = `${service}:${(context.commandName ?? 'Unknown').replace(/Command$/, '')}`;
      const input = (args.input ?? {}) as Record<string, unknown>;
      const key = bucketKey(operation, isFiltered(input));
      await scheduler.acquire(scope, key, classify(phaseNow.getStore(), operation, input));
      try {
        return await next(args);
      } catch (e) {
        const name = (e as { name?: string; Code?: string }).name;
        if (name === 'RequestLimitExceeded' || name === 'Throttling' || name === 'ThrottlingException') scheduler.throttled(scope, key);
        throw e;
      }
    },
    { relation: 'after', toMiddleware: 'retryMiddleware', name: 'cordonCallScheduler' },
  );
}
