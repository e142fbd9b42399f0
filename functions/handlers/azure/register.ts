import { app } from '@azure/functions';
import { runAzureAction, type AzureRunnerDeps } from './actions.js';
import { ingestEventGridEvent, ingestWebhook, type AzureIngestDeps } from './ingest.js';

/**
 * The Function App's registrations (v4 programming model), bound to whichever wiring the entry
 * gives: the production entry (index.ts) the cloud's, the workstation entry (local.ts) the local
 * engine's. The logic lives in plain functions (actions.ts, ingest.ts) so tests call them directly.
 *   ingest          Event Grid trigger (Event Grid schema or CloudEvents; the subscription in
 *                   infra/azure/runner.bicep targets `<app>/functions/ingest`)
 *   ingest-webhook  POST/OPTIONS /api/ingest — custom-topic webhooks and Graph subscriptions
 *   actions         POST /api/actions — the action runner Step Functions calls (shared secret)
 */
export function registerAzureFunctions(deps: { ingest: () => AzureIngestDeps; runner: () => AzureRunnerDeps }): void {
  app.eventGrid('ingest', {
    handler: async (event, context) => {
      await ingestEventGridEvent(event, context, deps.ingest());
    },
  });

  app.http('ingest-webhook', {
    route: 'ingest',
    methods: ['POST', 'OPTIONS'],
    authLevel: 'function',
    handler: (request, context) => ingestWebhook(request, context, deps.ingest()),
  });

  app.http('actions', {
    route: 'actions',
    methods: ['POST'],
    // The shared secret is checked in code (constant time); the platform key would be a second secret to rotate.
    authLevel: 'anonymous',
    handler: (request, context) => runAzureAction(request, context, deps.runner()),
  });
}
