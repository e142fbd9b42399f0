import { registerAzureFunctions } from './register.js';
import { azureIngestDeps, azureRunnerDeps } from './runtime.js';

/**
 * The production entry of the Function App (infra/bundle.ts bundles it for zip deploy): cloud
 * wiring only — ingest records in the Cordon case table and starts the Step Functions workflow.
 * It never loads the local engine (a test checks the bundle); `func start` on a workstation uses
 * local.ts instead.
 */
registerAzureFunctions({ ingest: () => azureIngestDeps(), runner: () => azureRunnerDeps() });
