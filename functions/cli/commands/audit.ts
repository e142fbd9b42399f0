import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { loadSettings, operatorPath } from '../../config/settings.js';
import type { CheckpointComparison } from '../../records/audit-checkpoints.js';
import { verifyAuditLines, type AuditVerification } from '../../records/audit-log.js';
import { AUDIT_PUB_FILE, keyIdOf, parsePublicKey } from '../../records/audit-signer.js';
import { canonicalJson } from '../../core/canonical-json.js';
import { writePrivateFile } from '../../records/private-fs.js';
import { parse } from '../args.js';
import { green, red } from '../format.js';
import { type Command, EXIT, type Io } from '../io.js';

export const auditCommand: Command = {
  name: 'audit',
  help: `Usage: cordon audit verify [FILE] [--key PUB] [--head HASH] [--json]
       cordon audit verify --table CASE_TABLE [--bucket AUDIT_BUCKET] [--key PUB] [--head HASH] [--region R] [--out FILE] [--json]

Checks every record of the audit log (default: $CORDON_HOME/audit.jsonl): each line is one JSON
record in canonical form (RFC 8785) whose 'prev' is the previous record's hash, whose 'hash' is
the SHA-256 of the record without 'hash' and 'sig', and whose 'sig' is the audit key's signature
over 'hash'. An edited, deleted, duplicated, inserted or reordered line breaks the chain; the
first bad line is named.

The public key: --key PUB, else the audit.pub beside FILE, else $CORDON_HOME/audit.pub (for
--table: --key, else the KMS key in $CORDON_AUDIT_KEY). No key is a usage error.

What it proves: a local key stops whoever lacks it from rewriting the log; against whoever holds
the key, only a head anchored outside proves nothing was rewritten or cut. Every report and
tabletop prints the head; --head HASH checks that record is still in the chain.

A tabletop exercise keeps its own log: cordon audit verify .cordon/tabletop/<run>/audit.jsonl

--table reads the deployment's one cloud chain from the DynamoDB case table (stack output
CaseTableName) with your AWS credentials, checks it the same way, and compares it with the signed
checkpoints in the Object Lock bucket (--bucket, default $CORDON_AUDIT_BUCKET; stack output
AuditBucketName): records missing, altered or added since a checkpoint are named. --out writes
the chain as audit.jsonl (with audit.pub beside it).

Exit codes: 0 the chain holds, 1 the chain is broken or differs from its checkpoints (the line is
named), 2 no such log, no key, or usage.`,
  async run(argv, io) {
    const { values, positionals } = parse('audit', argv, {
      json: { type: 'boolean' },
      table: { type: 'string' },
      bucket: { type: 'string' },
      key: { type: 'string' },
      head: { type: 'string' },
      region: { type: 'string' },
      out: { type: 'string' },
    });
    const [sub, file, ...extra] = positionals;
    if (sub !== 'verify') throw new UsageError(`audit: expected 'verify'${sub ? `, got '${sub}'` : ''} (see 'cordon audit --help')`);
    if (extra.length > 0) throw new UsageError(`audit: unexpected argument '${extra[0]}'`);
    if (values.head !== undefined && !/^[0-9a-f]{64}$/.test(values.head)) throw new UsageError(`audit: --head: expected a record hash (64 hex digits), got '${values.head}'`);
    const home = loadSettings(io.env, io.cwd).home;
    const json = values.json === true;
    if (values.table !== undefined) {
      if (file !== undefined) throw new UsageError('audit: give a FILE or --table, not both');
      const region = values.region ?? io.env.AWS_REGION;
      const cloud = await readCloudChain(values.table, values.bucket ?? io.env.CORDON_AUDIT_BUCKET, region);
      const key = values.key !== undefined ? readKeyFile(values.key, io.cwd) : io.env.CORDON_AUDIT_KEY ? await kmsPublicKey(io.env.CORDON_AUDIT_KEY, region) : keyIn(join(home, AUDIT_PUB_FILE));
      if (!key) throw new UsageError(`audit: no audit key to verify dynamodb:${values.table} with: give --key PUB or set CORDON_AUDIT_KEY (the KMS key ARN)`);
      if (values.out !== undefined) {
        const out = operatorPath('audit', '--out', values.out, io.cwd);
        writePrivateFile(out, cloud.lines.map((l) => `${l}\n`).join(''));
        writePrivateFile(join(dirname(out), AUDIT_PUB_FILE), key.export({ type: 'spki', format: 'pem' }).toString());
      }
      const verification = verifyAuditLines(cloud.lines, { key, ...(values.head !== undefined ? { head: values.head } : {}) });
      const comparison = cloud.checkpoints ? (await import('../../records/audit-checkpoints.js')).compareWithCheckpoints(cloud.records, cloud.checkpoints, key) : undefined;
      return report(io, `dynamodb:${values.table}`, key, verification, json, comparison);
    }
    const path = file === undefined ? join(home, 'audit.jsonl') : resolve(io.cwd, file);
    if (!existsSync(path)) {
      io.err(`cordon: ${path}: no audit log there`);
      return EXIT.badInput;
    }
    // The key lookup order of DESIGN.md §3: --key, the audit.pub beside the log, $CORDON_HOME's.
    const key = values.key !== undefined ? readKeyFile(values.key, io.cwd) : (keyIn(join(dirname(path), AUDIT_PUB_FILE)) ?? keyIn(join(home, AUDIT_PUB_FILE)));
    if (!key) {
      io.err(`cordon: ${path}: no audit key: no --key, no ${AUDIT_PUB_FILE} beside the log, none in ${home}`);
      return EXIT.badInput;
    }
    const lines = readFileSync(path, 'utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return report(io, path, key, verifyAuditLines(lines, { key, ...(values.head !== undefined ? { head: values.head } : {}) }), json);
  },
};

function keyIn(path: string): KeyObject | undefined {
  return existsSync(path) ? parsePublicKey(readFileSync(path, 'utf8')) : undefined;
}

function readKeyFile(file: string, cwd: string): KeyObject {
  const path = resolve(cwd, file);
  if (!existsSync(path)) throw new UsageError(`audit: --key: ${path}: no such file`);
  const key = keyIn(path);
  if (!key) throw new UsageError(`audit: --key: ${path}: not an Ed25519 or P-256 public key (PEM)`);
  return key;
}

function report(io: Io, where: string, key: KeyObject, result: AuditVerification, json: boolean, comparison?: CheckpointComparison): number {
  // Which key verified, so it can be compared with the key id a report or tabletop anchored.
  const keyId = keyIdOf(key.export({ type: 'spki', format: 'pem' }).toString());
  const ok = result.ok && (comparison?.ok ?? true);
  if (json) io.out(JSON.stringify({ file: where, keyId, ...result, ...(comparison ? { checkpoints: comparison } : {}) }));
  else {
    if (result.ok) io.out(`${green('ok')} ${where}: ${result.records} records, chain intact, every signature verified by ${keyId}, head ${result.head}`);
    else io.err(`${red('broken', process.stderr)} ${where}:${result.line}: ${result.problem}`);
    if (comparison) {
      const differences = [
        ...comparison.missing.map((s) => `record ${s} missing`),
        ...comparison.altered.map((s) => `record ${s} altered`),
        ...comparison.extra.map((s) => `record ${s} not in any checkpoint (added)`),
        ...comparison.badCheckpoints.map((r) => `checkpoint ${r} does not verify`),
      ];
      if (comparison.ok) io.out(`${green('ok')} ${where}: matches ${comparison.checkpoints} signed checkpoint(s) covering records 1-${comparison.covered}`);
      else io.err(`${red('differs', process.stderr)} ${where} from its Object Lock checkpoints: ${differences.join('; ')}`);
    } else if (where.startsWith('dynamodb:')) io.out(`note: no audit bucket given (--bucket or CORDON_AUDIT_BUCKET): not compared with the Object Lock checkpoints`);
  }
  return ok ? EXIT.ok : EXIT.failed;
}

/** The cloud chain as audit.jsonl lines (canonical JSON, in sequence order), and its checkpoints. */
async function readCloudChain(table: string, bucket: string | undefined, region: string | undefined) {
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const { DynamoCaseStore } = await import('../../records/dynamo-case-store.js');
  const store = new DynamoCaseStore({ client: new DynamoDBClient(region ? { region } : {}), tableName: table });
  try {
    const records = await store.auditRecords();
    let checkpoints;
    if (bucket !== undefined) {
      const { S3Client } = await import('@aws-sdk/client-s3');
      const { S3CheckpointStore } = await import('../../adapters/aws/s3-audit-sink.js');
      checkpoints = await new S3CheckpointStore(new S3Client({ ...(region ? { region } : {}), forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL) }), bucket).list();
    }
    return { records, lines: records.map((r) => canonicalJson(r)), checkpoints };
  } finally {
    await store.close();
  }
}

async function kmsPublicKey(keyId: string, region: string | undefined): Promise<KeyObject | undefined> {
  const { KMSClient } = await import('@aws-sdk/client-kms');
  const { KmsAuditSigner } = await import('../../adapters/aws/kms-audit-signer.js');
  return parsePublicKey(await new KmsAuditSigner(new KMSClient(region ? { region } : {}), keyId).publicKeyPem());
}
