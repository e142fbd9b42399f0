/** A second process for the audit concurrency test: `node --import tsx audit-writer.ts LOG LABEL COUNT`. */
import { AuditLog } from '../../../functions/records/audit-log.js';

const [path, label, countArg] = process.argv.slice(2);
if (!path || !label || !countArg) throw new Error('usage: audit-writer LOG LABEL COUNT');
const log = new AuditLog({ path });
for (let i = 0; i < Number(countArg); i++) {
  await log.append({ incident: 'inc-0123456789abcdef', event: 'step.end', data: { writer: label, i } });
}
