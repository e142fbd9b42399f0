/**
 * The process the crash test kills: the engine for one scenario, against an estate the test
 * process owns (so the estate outlives this process), writing to a Cordon home the test reads.
 * Usage: crash-child.ts HOME ESTATE_URL SCENARIO
 */
import { compilePlaybook } from '../../workflows/compile.js';
import { respond } from '../../functions/engine/responder.js';
import { localExecutor, openLocalRecords } from '../../functions/engine/runtime.js';
import { PLAYBOOKS, SCENARIOS, plannedFinding, type ScenarioName } from './engine-harness.js';

const [home, url, scenario] = process.argv.slice(2) as [string, string, ScenarioName];
const records = openLocalRecords(home);
const now = () => new Date();
const planned = plannedFinding(SCENARIOS[scenario]);
await respond(planned, {
  mode: 'tabletop',
  store: records.store,
  audit: records.audit,
  evidence: records.evidence,
  definitionFor: (id) => compilePlaybook(PLAYBOOKS.find((p) => p.id === id) ?? PLAYBOOKS[0]!),
  executeAction: localExecutor({ endpoint: url, store: records.store, now }),
  now,
  speed: 1_000_000,
});
await records.close();
process.stdout.write('finished\n');
