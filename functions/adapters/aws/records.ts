import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { AuditTrail } from '../../records/audit-log.js';
import type { CaseStore } from '../../records/case-store.js';
import { DynamoCaseStore } from '../../records/dynamo-case-store.js';
import { EvidenceStore } from '../../records/evidence.js';
import { S3AuditSink } from './s3-audit-sink.js';

/**
 * The deployment's records in the Cordon AWS account, as both function hosts (the Lambdas and
 * the Azure Function App) open them: the case store in the DynamoDB case table, the one audit
 * chain of the deployment in that table with every record mirrored to the Object Lock bucket
 * (where it cannot be changed), and the evidence manifest's working copy under `home`.
 */
export interface CloudRecords {
  store: CaseStore;
  audit: AuditTrail;
  evidence: EvidenceStore;
}

export interface CloudRecordsConfig {
  dynamo: DynamoDBClient;
  tableName: string;
  /** The audit mirror; without a bucket the chain lives in the table only. */
  auditBucket?: { s3: S3Client; name: string };
  /** Working directory of the evidence manifest. */
  home: string;
}

export function openCloudRecords(config: CloudRecordsConfig): CloudRecords {
  const sinks = config.auditBucket ? [new S3AuditSink(config.auditBucket.s3, config.auditBucket.name)] : [];
  const store = new DynamoCaseStore({ client: config.dynamo, tableName: config.tableName });
  return { store, audit: store.auditTrail({ sinks }), evidence: new EvidenceStore(config.home) };
}
