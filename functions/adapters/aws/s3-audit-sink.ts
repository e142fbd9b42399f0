import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AuditCheckpoint, CheckpointStore } from '../../records/audit-checkpoints.js';
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

/**
 * The signed checkpoints of the cloud chain, in the same Object Lock bucket under `checkpoints/`:
 * what `cordon audit verify --table` compares the case table against.
 */
export class S3CheckpointStore implements CheckpointStore {
  static readonly PREFIX = 'checkpoints/';

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  static keyOf(checkpoint: AuditCheckpoint): string {
    const pad = (n: number) => String(n).padStart(12, '0');
    return `${S3CheckpointStore.PREFIX}${pad(checkpoint.to)}-${pad(checkpoint.from)}-${checkpoint.sig.slice(0, 16).replace(/[^A-Za-z0-9]/g, '')}.json`;
  }

  async put(checkpoint: AuditCheckpoint): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: S3CheckpointStore.keyOf(checkpoint), Body: canonicalJson(checkpoint), ContentType: 'application/json' }));
  }

  async list(): Promise<AuditCheckpoint[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: S3CheckpointStore.PREFIX, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : [])));
      token = page.NextContinuationToken;
    } while (token);
    const out: AuditCheckpoint[] = [];
    for (const key of keys.sort()) {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      out.push(JSON.parse((await object.Body?.transformToString()) ?? 'null') as AuditCheckpoint);
    }
    return out;
  }
}
