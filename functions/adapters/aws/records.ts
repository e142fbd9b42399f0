import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import type { AuditTrail } from '../../records/audit-log.js';
import { localAuditSigner } from '../../records/audit-signer.js';
import type { CaseStore } from '../../records/case-store.js';
import { DynamoCaseStore } from '../../records/dynamo-case-store.js';
import { EvidenceStore } from '../../records/evidence.js';
import { KmsAuditSigner } from './kms-audit-signer.js';
import { S3AuditSink, S3CheckpointStore } from './s3-audit-sink.js';

/**
 * The deployment's records in the Cordon AWS account, as both function hosts (the Lambdas and
 * the Azure Function App) open them: the case store in the DynamoDB case table, the one audit
 * chain of the deployment in that table — signed by the KMS audit key, every record mirrored to
 * the Object Lock bucket (where it cannot be changed) with signed checkpoints beside them — and
 * the evidence manifest's working copy under `home`.
 */
export interface CloudRecords {
  store: CaseStore;
  audit: AuditTrail;
  evidence: EvidenceStore;
}

export interface CloudRecordsConfig {
  dynamo: DynamoDBClient;
  tableName: string;
  /** The audit mirror and checkpoints; without a bucket the chain lives in the table only. */
  auditBucket?: { s3: S3Client; name: string };
  /** The KMS audit key (the functions hold kms:Sign on it); without one, a local Ed25519 key in `home` (development only). */
  auditKey?: { kms: KMSClient; keyId: string };
  /** Working directory of the evidence manifest. */
  home: string;
}

export function openCloudRecords(config: CloudRecordsConfig): CloudRecords {
  const bucket = config.auditBucket;
  const store = new DynamoCaseStore({ client: config.dynamo, tableName: config.tableName });
  const signer = config.auditKey ? new KmsAuditSigner(config.auditKey.kms, config.auditKey.keyId) : localAuditSigner(config.home);
  const audit = store.auditTrail({
    signer,
    sinks: bucket ? [new S3AuditSink(bucket.s3, bucket.name)] : [],
    ...(bucket ? { checkpoints: new S3CheckpointStore(bucket.s3, bucket.name) } : {}),
  });
  return { store, audit, evidence: new EvidenceStore(config.home) };
}
