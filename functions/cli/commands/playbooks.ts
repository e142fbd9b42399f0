import { resolve } from 'node:path';
import { ACTION_CATALOG } from '../../core/actions/catalog.js';
import { defaultPlaybookDir, validatePlaybookDir } from '../../core/playbooks/load.js';
import { UsageError } from '../../core/errors.js';
import { writeCompiled } from '../../../workflows/write.js';
import { parse } from '../args.js';
import { dim, green, red, table } from '../format.js';
import { type Command, EXIT } from '../io.js';
import { loadPlaybooksFrom } from './shared.js';
import { operatorPath } from '../../config/settings.js';

export const playbooksCommand: Command = {
  name: 'playbooks',
  help: `Usage: cordon playbooks list [--json] [--playbooks DIR]
       cordon playbooks validate [--playbooks DIR]
       cordon playbooks compile [--out DIR] [--playbooks DIR]

  list       each playbook: id, cloud, what it matches, its steps
  validate   checks every playbook file; names the file, the field path and the problem (exit 2 if any)
  compile    writes one ASL state machine per playbook (<id>.asl.json) and clock-watch.asl.json to DIR
             (default: workflows/asl, the definitions the CDK app deploys)

Playbooks are YAML files (default: the bundled playbooks/ directory); see playbooks/README.md.`,
  async run(argv, io) {
    const { values, positionals } = parse('playbooks', argv, {
      json: { type: 'boolean' },
      out: { type: 'string' },
      playbooks: { type: 'string' },
    });
    const [sub, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`playbooks: unexpected argument '${extra[0]}'`);
    const dir = values.playbooks === undefined ? defaultPlaybookDir() : resolve(io.cwd, values.playbooks);
    switch (sub) {
      case 'list': {
        const playbooks = loadPlaybooksFrom(values.playbooks, io.cwd);
        if (values.json) {
          io.out(JSON.stringify(playbooks, null, 2));
          return EXIT.ok;
        }
        io.out(
          table(
            ['id', 'cloud', 'prio', 'matches', 'steps'],
            playbooks.map((p) => [
              p.id,
              p.cloud,
              String(p.priority),
              [p.match.source.join('|'), ...(p.match.controls ?? []), ...(p.match.types ?? []).slice(0, 3), (p.match.types?.length ?? 0) > 3 ? `+${(p.match.types?.length ?? 0) - 3} more` : '']
                .filter(Boolean)
                .join(' '),
              p.steps.map((s) => s.action).join(', '),
            ]),
          ),
        );
        io.out(dim(`\n${playbooks.length} playbooks in ${dir}; actions: ${Object.keys(ACTION_CATALOG).length} (cordon playbooks list --json for everything)`));
        return EXIT.ok;
      }
      case 'validate': {
        const reports = validatePlaybookDir(dir);
        let bad = 0;
        for (const r of reports) {
          if (r.problems.length === 0) io.out(`${green('ok')}   ${r.file} (${r.id})`);
          else {
            bad += 1;
            for (const p of r.problems) io.err(`${red('bad', process.stderr)}  ${r.file}: ${p}`);
          }
        }
        if (reports.length === 0) {
          io.err(`cordon: ${dir}: no playbook files (*.yaml)`);
          return EXIT.badInput;
        }
        io.out(`${reports.length - bad} valid, ${bad} invalid`);
        return bad > 0 ? EXIT.badInput : EXIT.ok;
      }
      case 'compile': {
        const playbooks = loadPlaybooksFrom(values.playbooks, io.cwd);
        const out = operatorPath('playbooks compile', '--out', values.out ?? 'workflows/asl', io.cwd);
        const written = writeCompiled(out, playbooks);
        for (const file of written) io.out(`wrote ${file}`);
        return EXIT.ok;
      }
      default:
        throw new UsageError(`playbooks: expected list, validate or compile${sub ? `, got '${sub}'` : ''} (see 'cordon playbooks --help')`);
    }
  },
};
