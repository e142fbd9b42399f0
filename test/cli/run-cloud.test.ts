import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIM_CREDENTIALS } from '../../functions/adapters/aws/clients.js';
import { createStepFunctionsSimService } from '../support/sim/stepfunctions.js';
import { startSimServer, type RunningSimServer } from '../../functions/sim/server.js';
import { cordon } from './harness.js';

const MACHINE = 'arn:aws:states:eu-west-1:111122223333:stateMachine:Cordon-aws-ec2-compromise';
const INSTANCE = 'arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc1234def567890';

describe('cordon run --execute --cloud (the deployed state machine, here the simulated Step Functions)', () => {
  const service = createStepFunctionsSimService();
  let server: RunningSimServer;
  const saved = { ...process.env };
  beforeAll(async () => {
    server = await startSimServer({ services: [service] });
    Object.assign(process.env, { AWS_ENDPOINT_URL: server.url, AWS_ACCESS_KEY_ID: SIM_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: SIM_CREDENTIALS.secretAccessKey });
  });
  afterAll(async () => {
    process.env = saved;
    await server.close();
  });

  it('starts the execution named after the incident with the workflow input, and follows it to the end', async () => {
    const run = cordon(['run', 'aws-ec2-compromise', '--target', INSTANCE, '--execute', '--cloud'], { env: { CORDON_STATE_MACHINES: JSON.stringify({ 'aws-ec2-compromise': MACHINE }) } });
    // Play the part of Step Functions: the execution moves on once it exists.
    let arn: string | undefined;
    for (let i = 0; i < 100 && !arn; i++) {
      await new Promise((r) => setTimeout(r, 20));
      arn = service.state.executionsOf(MACHINE)[0]?.executionArn;
    }
    expect(arn).toMatch(/:execution:Cordon-aws-ec2-compromise:inc-[0-9a-f]{16}$/);
    service.state.recordState(arn as string, 'contain and preserve', {}, { ok: true });
    service.state.succeed(arn as string, { escalated: false });
    const r = await run;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('contain and preserve');
    expect(r.stdout).toMatch(/SUCCEEDED/);
    const input = JSON.parse(service.state.executionsOf(MACHINE)[0]?.input ?? '{}');
    expect(Object.keys(input.phases.contain)).toEqual(['detach_from_autoscaling', 'quarantine_instance', 'revoke_instance_credentials']);
  });

  it('without a state machine ARN it says where to give one (exit 2)', async () => {
    const r = await cordon(['run', 'aws-ec2-compromise', '--target', INSTANCE, '--execute', '--cloud'], { env: { CORDON_STATE_MACHINES: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--state-machine ARN, or CORDON_STATE_MACHINES/);
  });
});

describe('cordon audit verify --table (the cloud chain in the case table)', () => {
  it('reads the deployment chain from DynamoDB, verifies hashes and KMS signatures and writes it out as audit.jsonl', async () => {
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const { KMSClient } = await import('@aws-sdk/client-kms');
    const { DynamoDbSimService } = await import('../support/sim/dynamodb.js');
    const { KmsSimService } = await import('../support/sim/kms.js');
    const { KmsAuditSigner } = await import('../../functions/adapters/aws/kms-audit-signer.js');
    const { DynamoCaseStore } = await import('../../functions/records/dynamo-case-store.js');
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const kms = new KmsSimService();
    const keyArn = kms.createKey('ECC_NIST_EDWARDS25519');
    const server = await startSimServer({ services: [new DynamoDbSimService(), kms] });
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { AWS_ENDPOINT_URL: server.url, AWS_ACCESS_KEY_ID: SIM_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: SIM_CREDENTIALS.secretAccessKey, AWS_REGION: 'eu-west-1' });
      const client = new DynamoDBClient({});
      await DynamoCaseStore.createTable(client, 'cordon-cases');
      const trail = new DynamoCaseStore({ client, tableName: 'cordon-cases' }).auditTrail({ signer: new KmsAuditSigner(new KMSClient({}), keyArn) });
      for (const event of ['ingest', 'plan', 'step.start', 'step.end'] as const) await trail.append({ incident: 'inc-0123456789abcdef', event, data: { event } });
      const out = join(mkdtempSync(join(tmpdir(), 'cordon-cloud-audit-')), 'audit.jsonl');
      // No key anywhere: a usage error, nothing verified.
      expect((await cordon(['audit', 'verify', '--table', 'cordon-cases'], { env: { CORDON_HOME: mkdtempSync(join(tmpdir(), 'cordon-nokey-')) } })).code).toBe(2);
      const r = await cordon(['audit', 'verify', '--table', 'cordon-cases', '--out', out], { env: { CORDON_AUDIT_KEY: keyArn } });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/dynamodb:cordon-cases: 4 records, chain intact, every signature verified/);
      // The export carries the KMS public key beside it (audit.pub), so it verifies offline.
      expect((await cordon(['audit', 'verify', out])).code).toBe(0);
      expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(4);
    } finally {
      process.env = saved;
      await server.close();
    }
  });
});
