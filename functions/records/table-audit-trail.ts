import { makeCheckpoint, type CheckpointStore } from './audit-checkpoints.js';
import { chainRecord, signRecord, type AuditEntry, type AuditRecord, type AuditSink, type AuditTrail } from './audit-log.js';
import type { AuditSigner } from './audit-signer.js';
import type { RecordTable } from './record-table.js';

/**
 * The one chain of a deployment, stored beside the cases under this pseudo-incident (DynamoDB
 * partition `INC#audit-chain`): records of kind `audit`, create-only in every RecordTable adapter
 * (a conditional put); the stack's IAM denies every function UpdateItem, DeleteItem and
 * BatchWriteItem on the partition. The head hint (kind `audit-head`) is the one item there that
 * changes, by conditional put.
 */
export const AUDIT_CHAIN = 'audit-chain';
const HEAD = 'head';
export const auditKey = (seq: number) => String(seq).padStart(12, '0');

interface Head {
  seq: number;
  hash: string;
}

export interface TableAuditTrailOptions {
  signer: AuditSigner;
  sinks?: readonly AuditSink[];
  /** Where signed checkpoints go (the Object Lock bucket); none: no checkpoints. */
  checkpoints?: CheckpointStore;
  /** A checkpoint after every this many records (default 16). */
  checkpointEvery?: number;
  now?: () => Date;
}

/**
 * The audit chain in the cloud: one chain for every Lambda and Azure Function of a deployment,
 * kept in the case table. Each record is created under its sequence number only if that number
 * is still free (the table's atomic conditional write), so two writers can never both extend the
 * chain from the same record, and no record is ever overwritten: the loser reads the winner's
 * record and chains after it. The head document is a hint kept up to date after each append; the
 * records are the truth. Finished records then go to the sinks (the Object Lock bucket), and every
 * `checkpointEvery` records the writer of the last one puts a signed checkpoint there.
 */
export class TableAuditTrail implements AuditTrail {
  constructor(
    private readonly table: RecordTable,
    private readonly options: TableAuditTrailOptions,
  ) {}

  get keyId(): string {
    return this.options.signer.keyId;
  }

  async append(entry: AuditEntry): Promise<AuditRecord> {
    let last: Head | undefined = await this.table.get<Head>('audit-head', AUDIT_CHAIN, HEAD);
    for (let attempt = 0; attempt < 1000; attempt++) {
      // The head may lag (a writer stopped between its record and the head): skip ahead over records that exist.
      const next = await this.table.get<AuditRecord>('audit', AUDIT_CHAIN, auditKey((last?.seq ?? 0) + 1));
      if (next) {
        last = { seq: next.seq, hash: next.hash };
        continue;
      }
      const record = await signRecord(chainRecord(last, entry, this.now()), this.options.signer);
      const { changed } = await this.table.mutate<AuditRecord>('audit', AUDIT_CHAIN, auditKey(record.seq), (current) => (current ? undefined : { body: record }));
      if (!changed) continue; // Another writer took this number: chain after its record.
      await this.table.mutate<Head>('audit-head', AUDIT_CHAIN, HEAD, (current) => ((current?.seq ?? 0) < record.seq ? { body: { seq: record.seq, hash: record.hash } } : undefined));
      for (const sink of this.options.sinks ?? []) await sink.write(record);
      const every = this.options.checkpointEvery ?? 16;
      if (this.options.checkpoints && record.seq % every === 0) await this.checkpoint(record.seq - every + 1, record.seq);
      return record;
    }
    throw new Error('audit chain: could not append after 1000 attempts');
  }

  /**
   * Puts a signed checkpoint of records from..to (default: everything after the last checkpoint)
   * into the checkpoint store. Returns the number of records it covers.
   */
  async checkpoint(from?: number, to?: number): Promise<number> {
    const store = this.options.checkpoints;
    if (!store) return 0;
    const start = from ?? Math.max(0, ...(await store.list()).map((c) => c.to)) + 1;
    const records = (await this.records()).filter((r) => r.seq >= start && (to === undefined || r.seq <= to));
    if (records.length === 0) return 0;
    await store.put(await makeCheckpoint(records, this.options.signer, this.now()));
    return records.length;
  }

  /** The whole chain in order, as `audit.jsonl` holds it (for export and `cordon audit verify`). */
  records(): Promise<AuditRecord[]> {
    return TableAuditTrail.recordsOf(this.table);
  }

  static async recordsOf(table: RecordTable): Promise<AuditRecord[]> {
    const docs = await table.listByIncident<AuditRecord>('audit', AUDIT_CHAIN);
    return docs.sort((a, b) => a.seq - b.seq);
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}
