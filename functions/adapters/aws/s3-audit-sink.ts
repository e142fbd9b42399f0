import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { canonicalJson } from '../../core/canonical-json.js';
import type { AuditRecord, AuditSink } from '../../records/audit-log.js';

/**
 * Mirrors every audit record to the Object Lock bucket (COMPLIANCE retention is the bucket's
 * default, so each object is immutable once written). Keys sort by incident, then time and
 * sequence; the hash in the key makes a record from another execution environment never
 * overwrite this one.
 */
export class S3AuditSink implements AuditSink {
  readonly name = 's3';
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  static keyOf(record: AuditRecord): string {
    return `audit/${record.incident ?? 'run'}/${record.at}-${String(record.seq).padStart(8, '0')}-${record.hash.slice(0, 16)}.json`;
  }

  async write(record: AuditRecord): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: S3AuditSink.keyOf(record), Body: canonicalJson(record), ContentType: 'application/json' }),
    );
  }
}
