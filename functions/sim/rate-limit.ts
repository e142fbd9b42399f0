import { TokenBucket, bucketFor, bucketKey, RateLimitsSchema, type BucketSpec, type RateLimitsConfig } from '../core/rate-limits.js';
import type { SimRequest } from './server.js';
import { QueryParams, signingRegion } from './aws/wire.js';

/**
 * The estate's API request rate limits: one token bucket per account, region and API action, as
 * EC2 applies them (core/rate-limits.ts). Off unless the estate file (`rateLimits:`) or the caller
 * turns them on, so exercises that do not ask for them behave as before.
 */
export class SimRateLimiter {
  private readonly config: ReturnType<typeof RateLimitsSchema.parse>;
  private readonly buckets = new Map<string, TokenBucket>();
  /** Every bucket is full when the estate opens (made lazily, but as of this moment). */
  private readonly openedAt: number;

  constructor(
    config: RateLimitsConfig,
    private readonly account: string,
    private readonly homeRegion: string,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.config = RateLimitsSchema.parse(config);
    this.openedAt = clock();
  }

  /** The bucket spec for a bucket key under this estate's profile. */
  specOf(key: string): BucketSpec | undefined {
    return bucketFor(this.config, key);
  }

  /** Takes a token for this call, or returns false: the caller answers with the service's throttling error. */
  admit(req: SimRequest, operation: string): boolean {
    const key = bucketKey(operation, isFiltered(req));
    const spec = this.specOf(key);
    if (!spec) return true;
    const id = `${this.account}/${signingRegion(req) ?? this.homeRegion}/${key}`;
    let bucket = this.buckets.get(id);
    if (!bucket) this.buckets.set(id, (bucket = new TokenBucket(spec, this.openedAt)));
    return bucket.take(this.clock());
  }
}

/** A query-protocol call names something beyond its action: a filter, ids or a page size. */
function isFiltered(req: SimRequest): boolean {
  const params = QueryParams.of(req);
  return params.keys().some((k) => k !== 'Action' && k !== 'Version');
}
