/**
 * The storage primitive both case-store adapters provide: JSON documents keyed by
 * (kind, incident, key), an optional sparse `flag` index (open clocks, pending approvals),
 * an atomic read-modify-write, and hourly action counters. The case-store rules live once,
 * above this, in `document-case-store.ts`; an adapter only has to make `mutate` atomic.
 */
export type RecordKind = 'incident' | 'step' | 'clock' | 'approval' | 'audit' | 'audit-head' | 'register' | 'control';

/**
 * Audit records are create-only: `mutate` may create one where none is, and refuses to replace
 * one (AuditRecordOverwriteError) — in every adapter, before any write reaches the store.
 */
export const CREATE_ONLY: ReadonlySet<RecordKind> = new Set(['audit']);

export class AuditRecordOverwriteError extends Error {
  override readonly name = 'AuditRecordOverwriteError';
  constructor(incident: string, key: string) {
    super(`audit record ${incident}/${key} exists: audit records are create-only`);
  }
}

export interface Mutation<T> {
  body: T;
  /** Puts the document in the sparse index under this flag; undefined takes it out. */
  flag?: string;
}

/** Returns the new document, or undefined to leave the stored one as it is. May throw to refuse. */
export type Mutator<T> = (current: T | undefined) => Mutation<T> | undefined;

export interface RecordTable {
  get<T>(kind: RecordKind, incident: string, key: string): Promise<T | undefined>;
  /** One incident's documents of a kind, ordered by key. */
  listByIncident<T>(kind: RecordKind, incident: string): Promise<T[]>;
  /** Documents of a kind carrying `flag`, ordered by incident then key. */
  listByFlag<T>(kind: RecordKind, flag: string): Promise<T[]>;
  /** Atomic against every other writer, in this process or another. Create-only for CREATE_ONLY kinds. */
  mutate<T>(kind: RecordKind, incident: string, key: string, fn: Mutator<T>): Promise<{ changed: boolean; body: T | undefined }>;
  addActions(account: string, hour: string, count: number): Promise<void>;
  /**
   * Adds `count` to the counter of `account` for `hour` only if the total stays within `cap`, in one
   * atomic operation (a conditional update), so concurrent reservations can never overrun the cap.
   */
  reserveActions(account: string, hour: string, count: number, cap: number): Promise<boolean>;
  /** Sum of the counters of `account` for hours >= `fromHour` (both `YYYY-MM-DDTHH`). */
  sumActions(account: string, fromHour: string): Promise<number>;
  close(): Promise<void>;
}

/** The hour bucket of an ISO-8601 UTC time: `2024-03-31T01`. */
export function hourBucket(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new RangeError(`not an ISO-8601 time: ${iso}`);
  return new Date(t).toISOString().slice(0, 13);
}
