import type { SimRequest, SimResponse, SimService } from '../server.js';
import type { AwsEstateState, SimSecurityHubFinding } from './state.js';
import { jsonResponse, requestId, signingService } from './wire.js';

/** Security Hub restJson1: JSON bodies; errors carry `x-amzn-errortype` and `{ "Message", "Code" }`. */
export function securityHubError(status: number, type: string, message: string): SimResponse {
  return jsonResponse(status, { Code: type, Message: message }, { 'x-amzn-errortype': type, 'x-amzn-requestid': requestId() });
}

const WORKFLOW_STATUSES = new Set(['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED']);

interface FindingIdentifier {
  Id?: unknown;
  ProductArn?: unknown;
}

interface StringFilter {
  Value?: unknown;
  Comparison?: unknown;
}

function asFilters(value: unknown): StringFilter[] {
  return Array.isArray(value) ? (value as StringFilter[]) : [];
}

function matches(filters: StringFilter[], actual: string): boolean {
  if (filters.length === 0) return true;
  return filters.some((f) => (f.Comparison === 'PREFIX' ? actual.startsWith(String(f.Value)) : f.Comparison === 'NOT_EQUALS' ? actual !== f.Value : actual === f.Value));
}

export class SecurityHubService implements SimService {
  readonly name = 'securityhub';
  constructor(private readonly state: AwsEstateState) {}

  identify(req: SimRequest): string | undefined {
    if (signingService(req) !== 'securityhub') return undefined;
    if (req.method === 'PATCH' && req.path === '/findings/batchupdate') return 'securityhub:BatchUpdateFindings';
    if (req.method === 'POST' && req.path === '/findings') return 'securityhub:GetFindings';
    return `securityhub:${req.method} ${req.path}`;
  }

  throttled(): SimResponse {
    return securityHubError(429, 'TooManyRequestsException', 'Rate exceeded');
  }

  internalError(): SimResponse {
    return securityHubError(500, 'InternalException', 'Internal service error');
  }

  accessDenied(_req: SimRequest, operation: string): SimResponse {
    return securityHubError(403, 'AccessDeniedException', `User: arn:aws:sts::000000000000:assumed-role/cordon-responder/cordon is not authorized to perform: ${operation}`);
  }

  handle(req: SimRequest, operation: string): SimResponse {
    let body: Record<string, unknown>;
    try {
      body = req.body.length ? (JSON.parse(req.body.toString('utf8')) as Record<string, unknown>) : {};
    } catch {
      return securityHubError(400, 'InvalidInputException', 'The request body is not valid JSON');
    }
    switch (operation) {
      case 'securityhub:BatchUpdateFindings':
        return this.batchUpdate(body);
      case 'securityhub:GetFindings':
        return this.getFindings(body);
      default:
        return securityHubError(404, 'ResourceNotFoundException', `No operation for ${operation.slice('securityhub:'.length)}`);
    }
  }

  private asff(f: SimSecurityHubFinding): Record<string, unknown> {
    return {
      SchemaVersion: '2018-10-08',
      Id: f.id,
      ProductArn: f.productArn,
      GeneratorId: f.generatorId,
      AwsAccountId: this.state.account,
      Region: this.state.region,
      Types: [],
      CreatedAt: f.createdAt,
      UpdatedAt: f.updatedAt,
      Severity: { Label: f.severityLabel },
      Title: f.title,
      Description: f.title,
      Resources: [],
      Workflow: { Status: f.workflowStatus },
      WorkflowState: f.workflowStatus,
      RecordState: f.recordState,
      ...(f.note ? { Note: { Text: f.note.text, UpdatedBy: f.note.updatedBy, UpdatedAt: f.note.updatedAt } } : {}),
    };
  }

  private getFindings(body: Record<string, unknown>): SimResponse {
    const filters = (body.Filters ?? {}) as Record<string, unknown>;
    const found = Object.values(this.state.findings).filter(
      (f) => matches(asFilters(filters.Id), f.id) && matches(asFilters(filters.ProductArn), f.productArn) && matches(asFilters(filters.WorkflowStatus), f.workflowStatus),
    );
    return jsonResponse(200, { Findings: found.map((f) => this.asff(f)) });
  }

  private batchUpdate(body: Record<string, unknown>): SimResponse {
    const identifiers = Array.isArray(body.FindingIdentifiers) ? (body.FindingIdentifiers as FindingIdentifier[]) : [];
    if (identifiers.length === 0) return securityHubError(400, 'InvalidInputException', 'FindingIdentifiers must contain at least one finding');
    const workflow = body.Workflow as { Status?: unknown } | undefined;
    const status = workflow?.Status;
    if (status !== undefined && !WORKFLOW_STATUSES.has(String(status))) return securityHubError(400, 'InvalidInputException', `Invalid workflow status ${String(status)}`);
    const note = body.Note as { Text?: unknown; UpdatedBy?: unknown } | undefined;
    const now = new Date().toISOString();
    const processed: FindingIdentifier[] = [];
    const unprocessed: { FindingIdentifier: FindingIdentifier; ErrorCode: string; ErrorMessage: string }[] = [];
    for (const id of identifiers) {
      const finding = this.state.findings[String(id.Id)];
      if (!finding || finding.productArn !== id.ProductArn) {
        unprocessed.push({ FindingIdentifier: id, ErrorCode: 'FindingNotFound', ErrorMessage: 'Finding Not Found' });
        continue;
      }
      if (status !== undefined) finding.workflowStatus = status as SimSecurityHubFinding['workflowStatus'];
      if (note && typeof note.Text === 'string') finding.note = { text: note.Text, updatedBy: String(note.UpdatedBy ?? ''), updatedAt: now };
      finding.updatedAt = now;
      processed.push({ Id: finding.id, ProductArn: finding.productArn });
    }
    return jsonResponse(200, { ProcessedFindings: processed, UnprocessedFindings: unprocessed });
  }
}
