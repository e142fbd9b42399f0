import { registerAzureFunctions } from './register.js';
import { localAzureIngestDeps } from './local-runtime.js';
import { azureRunnerDeps } from './runtime.js';

/**
 * The workstation entry of the Function App (`npm run bundle` writes it as `azure-functionapp-local`
 * for `func start`): ingest runs each incident's workflow in the process with the local engine.
 * Never deployed; the production entry is index.ts.
 */
registerAzureFunctions({ ingest: () => localAzureIngestDeps(), runner: () => azureRunnerDeps() });
