import * as z from 'zod';

/**
 * API request rate limits as EC2 applies them: one token bucket per account, region and API
 * action, sized and refilled by the action's category. The simulated estate enforces these
 * buckets; the local engine's call scheduler keeps within the same numbers. One definition, both sides.
 *
 * Source: Amazon EC2 Developer Guide, "Request throttling for the Amazon EC2 API", request token
 * bucket sizes and refill rates (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html#throttling-limits-rate-based).
 */
export interface BucketSpec {
  /** Maximum tokens (the burst a full bucket allows). */
  bucket: number;
  /** Tokens added per second. */
  refill: number;
}

export const BucketSpecSchema = z.object({ bucket: z.number().int().min(1).max(100_000), refill: z.number().positive().max(100_000) }).strict();

/** The documented categories of EC2 request rate limits. */
export const EC2_CATEGORIES = {
  /** Describe*, Get*, List* and other read-only actions. */
  nonMutating: { bucket: 100, refill: 20 },
  /** Unfiltered and unpaginated non-mutating calls of the heavy describes (a bucket of their own). */
  unfilteredNonMutating: { bucket: 50, refill: 10 },
  mutating: { bucket: 200, refill: 10 },
  uncategorized: { bucket: 50, refill: 5 },
} as const satisfies Record<string, BucketSpec>;

/** Actions whose documented bucket differs from their category's. */
const EC2_SPECIFIC: Readonly<Record<string, BucketSpec>> = {
  'ec2:ModifyInstanceAttribute': { bucket: 50, refill: 5 },
  'ec2:ModifyNetworkInterfaceAttribute': { bucket: 100, refill: 5 },
  'ec2:CreateSnapshots': { bucket: 100, refill: 5 },
  'ec2:CreateSnapshot': { bucket: 100, refill: 5 },
  'ec2:CreateTags': { bucket: 100, refill: 10 },
};

/** The describes EC2 buckets separately when a call has no filter, id list or page size. */
const UNFILTERED_BUCKETED = new Set(['ec2:DescribeInstances', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSnapshots', 'ec2:DescribeSpotInstanceRequests', 'ec2:DescribeVolumes']);
const UNFILTERED_SUFFIX = '#unfiltered';

/** A rate-limit profile: buckets by bucket key (`ec2:CreateTags`, `ec2:DescribeInstances#unfiltered`). */
export type RateLimitProfile = Readonly<Record<string, BucketSpec>>;

export const RateLimitsSchema = z
  .object({
    /** `ec2-documented`: EC2's documented buckets for every EC2 action; `none`: only the buckets listed. */
    profile: z.enum(['ec2-documented', 'none']).default('ec2-documented'),
    /** Per-API overrides or additions, keyed like the fault spec (`ec2:ModifyInstanceAttribute`). */
    buckets: z.record(z.string().regex(/^[A-Za-z0-9.-]+:[A-Za-z0-9/._-]+(#unfiltered)?$/), BucketSpecSchema).default({}),
  })
  .strict();
export type RateLimitsConfig = z.input<typeof RateLimitsSchema>;

/**
 * The bucket key of one call: the operation, or its unfiltered bucket for a heavy describe sent
 * with no filter, no id list and no page size.
 */
export function bucketKey(operation: string, filtered: boolean): string {
  return !filtered && UNFILTERED_BUCKETED.has(operation) ? `${operation}${UNFILTERED_SUFFIX}` : operation;
}

/** EC2's documented bucket for a bucket key (undefined for non-EC2 operations). */
export function documentedEc2Bucket(key: string): BucketSpec | undefined {
  if (!key.startsWith('ec2:')) return undefined;
  if (key.endsWith(UNFILTERED_SUFFIX)) return EC2_CATEGORIES.unfilteredNonMutating;
  const specific = EC2_SPECIFIC[key];
  if (specific) return specific;
  const action = key.slice('ec2:'.length);
  return /^(Describe|Get|List|Search)/.test(action) ? EC2_CATEGORIES.nonMutating : EC2_CATEGORIES.mutating;
}

/** Resolves a bucket key against a configuration: explicit buckets win over the documented profile. */
export function bucketFor(config: z.output<typeof RateLimitsSchema>, key: string): BucketSpec | undefined {
  return config.buckets[key] ?? (config.profile === 'ec2-documented' ? documentedEc2Bucket(key) : undefined);
}

/**
 * A token bucket with continuous refill (the documented per-second refill, spread evenly), on an
 * injected clock in milliseconds so it can be tested without waiting.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly spec: BucketSpec,
    now: number,
  ) {
    this.tokens = spec.bucket;
    this.last = now;
  }

  /** Tokens available at `now`. */
  level(now: number): number {
    if (now > this.last) {
      this.tokens = Math.min(this.spec.bucket, this.tokens + ((now - this.last) / 1000) * this.spec.refill);
      this.last = now;
    }
    return this.tokens;
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    if (this.level(now) < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds from `now` until one token is available (0 if it is). */
  waitMs(now: number): number {
    const level = this.level(now);
    return level >= 1 ? 0 : Math.ceil(((1 - level) / this.spec.refill) * 1000);
  }

  /** Empties the bucket: the server said it is empty (another consumer shares the account's bucket). */
  drain(now: number): void {
    this.level(now);
    this.tokens = Math.min(this.tokens, 0);
  }
}

/**
 * The least time (ms) in which buckets that are full at the start allow `calls` per bucket key:
 * the slowest key's (calls − bucket) ÷ refill.
 */
export function tokenBucketLowerBoundMs(calls: Readonly<Record<string, number>>, bucketOf: (key: string) => BucketSpec | undefined): number {
  let worst = 0;
  for (const [key, n] of Object.entries(calls)) {
    const spec = bucketOf(key);
    if (!spec || n <= spec.bucket) continue;
    worst = Math.max(worst, ((n - spec.bucket) / spec.refill) * 1000);
  }
  return worst;
}
