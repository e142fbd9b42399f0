/**
 * A second process for the cross-process test: `node --import tsx concurrent-writer.ts DB LABEL COUNT`.
 * Races for the same step claims, bumps the shared action counter and appends reminders to one
 * shared clock; prints the step ids it won as JSON.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { SqliteCaseStore } from '../../../functions/records/sqlite-case-store.js';

const [path, label, countArg, goFile] = process.argv.slice(2);
if (!path || !label || !countArg || !goFile) throw new Error('usage: concurrent-writer DB LABEL COUNT GO-FILE');
const count = Number(countArg);
const incident = 'inc-0123456789abcdef';
const at = '2024-03-30T22:20:00.000Z';

const store = new SqliteCaseStore(path);
await store.openClock(incident, { regime: 'gdpr-art33', awareAt: at, deadline: '2024-04-02T22:20:00.000Z' }, { openedAt: at });
// A start line: both writers begin together, however long each took to start up.
writeFileSync(`${goFile}.ready-${label}`, '');
for (let waited = 0; !existsSync(goFile); waited += 5) {
  if (waited > 30_000) throw new Error('no go signal');
  await new Promise((r) => setTimeout(r, 5));
}
const won: string[] = [];
for (let i = 0; i < count; i++) {
  const stepId = `step-${i}`;
  if (await store.claimStep(incident, stepId, { at, owner: `writer-${label}` })) {
    won.push(stepId);
    await store.finishStep(incident, stepId, { status: 'succeeded', after: { by: label }, finishedAt: at });
  }
  await store.recordAction('123456789012', at);
  // Offsets 1..count shared between the two writers: every one must be recorded exactly once.
  await store.recordReminder(incident, 'gdpr-art33', i + 1, at);
}
await store.close();
process.stdout.write(JSON.stringify(won));
