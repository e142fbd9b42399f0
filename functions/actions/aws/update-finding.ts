import { BatchUpdateFindingsCommand, GetFindingsCommand } from '@aws-sdk/client-securityhub';
import type { AwsContext } from '../../adapters/aws/clients.js';
import { classifyAwsError } from '../../adapters/aws/errors.js';
import { actionSpec } from '../../core/actions/catalog.js';
import type { ActionInput, ActionResult, PlannedCall } from '../../core/actions/types.js';
import type { ActionModule } from '../types.js';
import { alreadyDone, guarded } from './common.js';

/**
 * Tells Security Hub a responder is on it: workflow status NOTIFIED and a note naming the
 * incident (BatchUpdateFindings is the API meant for responders, unlike BatchImportFindings).
 * Findings without a ProductArn (not from Security Hub) are skipped with a reason.
 */
export const UPDATED_BY = 'cordon';

export function findingNote(incidentId: string): string {
  return `Cordon incident ${incidentId}: automated containment and evidence preservation started.`;
}

function identifier(input: ActionInput): { Id: string; ProductArn: string } | undefined {
  return input.finding.productArn ? { Id: input.finding.id, ProductArn: input.finding.productArn } : undefined;
}

function plannedCalls(input: ActionInput): PlannedCall[] {
  const id = identifier(input);
  if (!id) return [];
  return [
    { operation: 'securityhub:GetFindings', request: { Filters: { Id: [{ Value: id.Id, Comparison: 'EQUALS' }], ProductArn: [{ Value: id.ProductArn, Comparison: 'EQUALS' }] } } },
    { operation: 'securityhub:BatchUpdateFindings', request: { FindingIdentifiers: [id], Workflow: { Status: 'NOTIFIED' }, Note: { Text: findingNote(input.incidentId), UpdatedBy: UPDATED_BY } } },
  ];
}

async function run(input: ActionInput, ctx: AwsContext): Promise<ActionResult> {
  const id = identifier(input);
  if (!id) return { status: 'skipped', reason: 'unsupported-target', summary: `finding ${input.finding.id} (${input.finding.source}) has no Security Hub ProductArn to update` };
  const hub = ctx.clients.securityHub;
  return guarded(async () => {
    const found = await hub.send(new GetFindingsCommand({ Filters: { Id: [{ Value: id.Id, Comparison: 'EQUALS' }], ProductArn: [{ Value: id.ProductArn, Comparison: 'EQUALS' }] }, MaxResults: 1 }));
    const current = found.Findings?.[0];
    if (!current) return { status: 'failed', errorClass: 'NotFound', message: `FindingNotFound: Security Hub has no finding ${id.Id}` };
    const before = { id: id.Id, workflowStatus: current.Workflow?.Status ?? null, note: current.Note?.Text ?? null };
    if (current.Workflow?.Status === 'NOTIFIED' && current.Note?.Text?.includes(input.incidentId)) {
      return alreadyDone(`finding already NOTIFIED with a note naming ${input.incidentId}`, before);
    }
    const note = findingNote(input.incidentId);
    const result = await hub.send(new BatchUpdateFindingsCommand({ FindingIdentifiers: [id], Workflow: { Status: 'NOTIFIED' }, Note: { Text: note, UpdatedBy: UPDATED_BY } }));
    const unprocessed = result.UnprocessedFindings?.[0];
    if (unprocessed) {
      const code = unprocessed.ErrorCode ?? 'Unknown';
      const classified = classifyAwsError({ name: code, message: unprocessed.ErrorMessage ?? '' });
      return { status: 'failed', errorClass: code.startsWith('FindingNotFound') ? 'NotFound' : classified.errorClass, message: classified.message };
    }
    return {
      status: 'succeeded',
      before,
      after: { id: id.Id, workflowStatus: 'NOTIFIED', note },
      evidence: [],
      summary: `Security Hub finding set NOTIFIED, noting ${input.incidentId}`,
    };
  });
}

export const updateFinding: ActionModule<AwsContext> = { spec: actionSpec('update-finding'), plannedCalls, run };
