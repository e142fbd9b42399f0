import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalRecords } from '../../engine/runtime.js';
import { localIntake } from '../local-intake.js';
import { handlerPlaybooks } from '../playbooks.js';
import type { AzureIngestDeps } from './ingest.js';
import { deliveryChecks, graphAlertReader, readAzureEnv } from './runtime.js';

let deps: AzureIngestDeps | undefined;

/**
 * Ingest on a workstation (`func start`, the local entry local.ts): the local engine records, runs
 * and audits each incident in the process, with the records in CORDON_HOME, against
 * CORDON_ENDPOINT (the simulated estate) when set. Kept out of the production entry so the
 * deployed bundle carries no local engine, workflow runner or SQLite store.
 */
export function localAzureIngestDeps(env: NodeJS.ProcessEnv = process.env): AzureIngestDeps {
  if (!deps) {
    const settings = readAzureEnv(env);
    const records = openLocalRecords(settings.CORDON_HOME ?? join(tmpdir(), 'cordon'));
    deps = {
      intake: async (result, raw) => localIntake({ records, ...(await handlerPlaybooks()) })(result, raw),
      fetchGraphAlert: graphAlertReader(settings),
      ...deliveryChecks(settings),
    };
  }
  return deps;
}
