import { chainRecord, type AuditEntry, type AuditRecord, type AuditSink, type AuditTrail } from './audit-log.js';
import type { RecordTable } from './record-table.js';

/** The one chain of a deployment, stored beside the cases: kind `audit`, under this pseudo-incident. */
const CHAIN = 'audit-chain';
const HEAD = 'head';
const key = (seq: number) => String(seq).padStart(12, '0');

interface Head {
  seq: number;
  hash: string;
}

/**
 * The audit chain in the cloud: one chain for every Lambda and Azure Function of a deployment,
 * kept in the case table. Each record is created under its sequence number only if that number
 * is still free (the table's atomic write), so two writers can never both extend the chain from
 * the same record: the loser reads the winner's record and chains after it. The head document is
 * a hint kept up to date after each append; the records are the truth. Finished records then go to
 * the sinks (the Object Lock bucket).
 */
export class TableAuditTrail implements AuditTrail {
  constructor(
    private readonly table: RecordTable,
    private readonly options: { sinks?: readonly AuditSink[]; now?: () => Date } = {},
  ) {}

  async append(entry: AuditEntry): Promise<AuditRecord> {
    let last: Head | undefined = await this.table.get<Head>('audit', CHAIN, HEAD);
    for (let attempt = 0; attempt < 1000; attempt++) {
      // The head may lag (a writer stopped between its record and the head): skip ahead over records that exist.
      const next = last ? await this.table.get<AuditRecord>('audit', CHAIN, key(last.seq + 1)) : await this.table.get<AuditRecord>('audit', CHAIN, key(1));
      if (next) {
        last = { seq: next.seq, hash: next.hash };
        continue;
      }
      const record = chainRecord(last, entry, this.options.now?.() ?? new Date());
      const { changed } = await this.table.mutate<AuditRecord>('audit', CHAIN, key(record.seq), (current) => (current ? undefined : { body: record }));
      if (!changed) continue; // Another writer took this number: chain after its record.
      await this.table.mutate<Head>('audit', CHAIN, HEAD, (current) => ((current?.seq ?? 0) < record.seq ? { body: { seq: record.seq, hash: record.hash } } : undefined));
      for (const sink of this.options.sinks ?? []) await sink.write(record);
      return record;
    }
    throw new Error('audit chain: could not append after 1000 attempts');
  }

  /** The whole chain in order, as `audit.jsonl` holds it (for export and `cordon audit verify`). */
  async records(): Promise<AuditRecord[]> {
    const docs = await this.table.listByIncident<AuditRecord | Head>('audit', CHAIN);
    return docs.filter((d): d is AuditRecord => 'event' in d).sort((a, b) => a.seq - b.seq);
  }
}
