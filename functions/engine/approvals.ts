import { randomUUID } from 'node:crypto';
import type { AuditTrail } from '../records/audit-log.js';
import type { CaseStore } from '../records/case-store.js';
import type { ApprovalAnswer, ApprovalRequest } from '../../workflows/runner.js';

/**
 * The local stand-in for `.waitForTaskToken`: the request is stored with a token, and the
 * workflow waits until a person answers (`cordon approve` / `cordon reject`, from any process)
 * or the timeout passes. In the cloud the same record is answered by SendTaskSuccess/Failure.
 */
export function storeApprover(store: CaseStore, audit: AuditTrail, options: { pollMs?: number; now?: () => Date; onWaiting?: (req: ApprovalRequest) => void } = {}) {
  const now = options.now ?? (() => new Date());
  const pollMs = options.pollMs ?? 250;
  return async (req: ApprovalRequest): Promise<ApprovalAnswer> => {
    const requestedAt = now();
    const timeoutAt = new Date(requestedAt.getTime() + req.timeoutSeconds * 1000);
    const { created, record } = await store.requestApproval({ incident: req.incidentId, stepId: req.stepId, token: randomUUID(), requestedAt: requestedAt.toISOString(), timeoutAt: timeoutAt.toISOString() });
    if (created) await audit.append({ incident: req.incidentId, event: 'approval.requested', data: { step: req.stepId, action: req.action, target: req.target, timeoutAt: record.timeoutAt } });
    options.onWaiting?.(req);
    for (;;) {
      const current = await store.getApproval(req.incidentId, req.stepId);
      if (current?.status === 'approved') return 'approved';
      if (current?.status === 'rejected') return { rejected: current.reason ?? 'rejected' };
      if (current?.status === 'timed-out') return 'timeout';
      if (now().getTime() >= Date.parse(record.timeoutAt)) {
        for (const t of await store.timeOutApprovals(now().toISOString())) {
          await audit.append({ incident: t.incident, event: 'approval.timed-out', data: { step: t.stepId } });
        }
        return 'timeout';
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  };
}
