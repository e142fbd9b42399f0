import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { loadSettings, operatorPath } from '../../config/settings.js';
import { verifyAuditLines, verifyAuditLog, type AuditVerification } from '../../records/audit-log.js';
import { canonicalJson } from '../../core/canonical-json.js';
import { parse } from '../args.js';
import { green, red } from '../format.js';
import { type Command, EXIT, type Io } from '../io.js';

export const auditCommand: Command = {
  name: 'audit',
  help: `Usage: cordon audit verify [FILE] [--json]
       cordon audit verify --table CASE_TABLE [--region R] [--out FILE] [--json]

Checks every record of the audit log (default: $CORDON_HOME/audit.jsonl): each line is one JSON
record whose 'prev' is the previous record's hash and whose 'hash' is the SHA-256 of the record
without 'hash' (canonical JSON, keys sorted). An edited, deleted, inserted or reordered line
breaks the chain; the first bad line is named.

A tabletop exercise keeps its own log: cordon audit verify .cordon/tabletop/<run>/audit.jsonl

--table reads the deployment's one cloud chain from the DynamoDB case table (stack output
CaseTableName) with your AWS credentials, checks it the same way, and with --out writes it
as audit.jsonl. Each record is also in the Object Lock bucket, where it cannot be changed.

Exit codes: 0 the chain holds, 1 the chain is broken (the line is named), 2 no such log / usage.`,
  async run(argv, io) {
    const { values, positionals } = parse('audit', argv, { json: { type: 'boolean' }, table: { type: 'string' }, region: { type: 'string' }, out: { type: 'string' } });
    const [sub, file, ...extra] = positionals;
    if (sub !== 'verify') throw new UsageError(`audit: expected 'verify'${sub ? `, got '${sub}'` : ''} (see 'cordon audit --help')`);
    if (extra.length > 0) throw new UsageError(`audit: unexpected argument '${extra[0]}'`);
    if (values.table !== undefined) {
      if (file !== undefined) throw new UsageError('audit: give a FILE or --table, not both');
      const lines = await cloudChainLines(values.table, values.region ?? io.env.AWS_REGION);
      if (values.out !== undefined) writeFileSync(operatorPath('audit', '--out', values.out, io.cwd), lines.map((l) => `${l}\n`).join(''));
      return report(io, `dynamodb:${values.table}`, verifyAuditLines(lines), values.json === true);
    }
    const path = file === undefined ? join(loadSettings(io.env, io.cwd).home, 'audit.jsonl') : resolve(io.cwd, file);
    if (!existsSync(path)) {
      io.err(`cordon: ${path}: no audit log there`);
      return EXIT.badInput;
    }
    return report(io, path, verifyAuditLog(path), values.json === true);
  },
};

function report(io: Io, where: string, result: AuditVerification, json: boolean): number {
  if (json) io.out(JSON.stringify({ file: where, ...result }));
  else if (result.ok) io.out(`${green('ok')} ${where}: ${result.records} records, chain intact, head ${result.head}`);
  else io.err(`${red('broken', process.stderr)} ${where}:${result.line}: ${result.problem}`);
  return result.ok ? EXIT.ok : EXIT.failed;
}

/** The cloud chain as audit.jsonl lines (canonical JSON, in sequence order). */
async function cloudChainLines(table: string, region: string | undefined): Promise<string[]> {
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const { DynamoCaseStore } = await import('../../records/dynamo-case-store.js');
  const store = new DynamoCaseStore({ client: new DynamoDBClient(region ? { region } : {}), tableName: table });
  try {
    return (await store.auditTrail().records()).map((r) => canonicalJson(r));
  } finally {
    await store.close();
  }
}
