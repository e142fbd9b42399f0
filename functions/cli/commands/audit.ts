import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { loadSettings } from '../../config/settings.js';
import { verifyAuditLog } from '../../records/audit-log.js';
import { parse } from '../args.js';
import { green, red } from '../format.js';
import { type Command, EXIT } from '../io.js';

export const auditCommand: Command = {
  name: 'audit',
  help: `Usage: cordon audit verify [FILE] [--json]

Checks every record of the audit log (default: $CORDON_HOME/audit.jsonl): each line is one JSON
record whose 'prev' is the previous record's hash and whose 'hash' is the SHA-256 of the record
without 'hash' (canonical JSON, keys sorted). An edited, deleted, inserted or reordered line
breaks the chain; the first bad line is named.

A tabletop exercise keeps its own log: cordon audit verify .cordon/tabletop/<run>/audit.jsonl

Exit codes: 0 the chain holds, 1 the chain is broken (the line is named), 2 no such log / usage.`,
  async run(argv, io) {
    const { values, positionals } = parse('audit', argv, { json: { type: 'boolean' } });
    const [sub, file, ...extra] = positionals;
    if (sub !== 'verify') throw new UsageError(`audit: expected 'verify'${sub ? `, got '${sub}'` : ''} (see 'cordon audit --help')`);
    if (extra.length > 0) throw new UsageError(`audit: unexpected argument '${extra[0]}'`);
    const path = file === undefined ? join(loadSettings(io.env, io.cwd).home, 'audit.jsonl') : resolve(io.cwd, file);
    if (!existsSync(path)) {
      io.err(`cordon: ${path}: no audit log there`);
      return EXIT.badInput;
    }
    const result = verifyAuditLog(path);
    if (values.json) io.out(JSON.stringify({ file: path, ...result }));
    else if (result.ok) io.out(`${green('ok')} ${path}: ${result.records} records, chain intact, head ${result.head}`);
    else io.err(`${red('broken', process.stderr)} ${path}:${result.line}: ${result.problem}`);
    return result.ok ? EXIT.ok : EXIT.failed;
  },
};
