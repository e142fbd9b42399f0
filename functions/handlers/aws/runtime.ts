import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { openCloudRecords, type CloudRecords as Records } from '../../adapters/aws/records.js';
import { readHandlerEnv, required, type HandlerEnv } from './env.js';

/**
 * What every Cordon Lambda shares, built once per execution environment: configuration, the
 * case store (DynamoDB), the audit chain (one chain for the whole deployment, in the case table,
 * every record mirrored to the Object Lock bucket, where it cannot be changed), the evidence
 * manifest working copy, and Powertools logging and metrics. SDK clients take region,
 * credentials and endpoint from the Lambda environment (AWS_ENDPOINT_URL in tests).
 */
export interface CloudRecords extends Records {
  env: HandlerEnv;
}

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'cordon' });
export const metrics = new Metrics({ namespace: 'Cordon', serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'cordon' });

let records: CloudRecords | undefined;

export function cloudRecords(): CloudRecords {
  if (!records) {
    const env = readHandlerEnv();
    records = {
      env,
      ...openCloudRecords({
        dynamo: new DynamoDBClient({}),
        tableName: required(env, 'CORDON_CASE_TABLE'),
        ...(env.CORDON_AUDIT_BUCKET ? { auditBucket: { s3: new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL) }), name: env.CORDON_AUDIT_BUCKET } } : {}),
        ...(env.CORDON_AUDIT_KEY ? { auditKey: { kms: new KMSClient({}), keyId: env.CORDON_AUDIT_KEY } } : {}),
        home: env.CORDON_HOME ?? join(tmpdir(), 'cordon'),
      }),
    };
  }
  return records;
}

/** The account a function runs in, from its own ARN (no STS call on the hot path). */
export function ownAccount(invokedFunctionArn: string): string {
  return invokedFunctionArn.split(':')[4] ?? '';
}

/** A handler as Lambda calls it: whatever the middleware makes of the event inside, the event arrives untyped. */
export type LambdaEntry<R> = (event: unknown, context: Context) => Promise<R>;
