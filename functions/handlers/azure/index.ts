import { app } from '@azure/functions';
import { runAzureAction } from './actions.js';
import { ingestEventGridEvent, ingestWebhook } from './ingest.js';
import { azureIngestDeps, azureRunnerDeps } from './runtime.js';

/**
 * The Function App's registrations (v4 programming model). The logic lives in plain functions
 * (actions.ts, ingest.ts) so tests call them directly; this module only binds them to triggers.
 *   ingest          Event Grid trigger (Event Grid schema or CloudEvents; the subscription in
 *                   infra/azure/runner.bicep targets `<app>/functions/ingest`)
 *   ingest-webhook  POST/OPTIONS /api/ingest — custom-topic webhooks and Graph subscriptions
 *   actions         POST /api/actions — the action runner Step Functions calls (shared secret)
 */
app.eventGrid('ingest', {
  handler: async (event, context) => {
    await ingestEventGridEvent(event, context, azureIngestDeps());
  },
});

app.http('ingest-webhook', {
  route: 'ingest',
  methods: ['POST', 'OPTIONS'],
  authLevel: 'function',
  handler: (request, context) => ingestWebhook(request, context, azureIngestDeps()),
});

app.http('actions', {
  route: 'actions',
  methods: ['POST'],
  // The shared secret is checked in code (constant time); the platform key would be a second secret to rotate.
  authLevel: 'anonymous',
  handler: (request, context) => runAzureAction(request, context, azureRunnerDeps()),
});
