import { timingSafeEqual, createHash } from 'node:crypto';
import { storedAlertDisagreement } from '../../core/findings/defender-stored.js';
import type { IngestResult } from '../../core/findings/ingest.js';

/**
 * What a delivery to the Azure ingest must prove before anything is planned (DESIGN.md §4). Whoever
 * holds the webhook URL can POST a body, so the body is not believed on its own:
 * - an AWS finding has no business here (AWS findings reach Cordon through EventBridge only);
 * - a Defender alert is read again from ARM by its id and must agree with what Defender stored;
 * - a Graph change notification must carry the subscription's clientState, when one is configured.
 * Refusals are rejections with the reason, kept by the intake like any other.
 */
export interface DeliveryChecks {
  /** The alert as ARM stores it (adapters/azure/defender-alerts.ts); undefined when there is none. */
  fetchDefenderAlert(alertResourceId: string): Promise<unknown>;
  /** The clientState Cordon's Graph subscription was created with (CORDON_GRAPH_CLIENT_STATE). */
  graphClientState?: string;
}

const sameSecret = (a: string, b: string) => timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

export async function verifyDelivery(result: IngestResult, checks: DeliveryChecks): Promise<IngestResult> {
  const verified: IngestResult = { ...result, findings: [], rejected: [...result.rejected], graphAlertRefs: [] };
  for (const item of result.findings) {
    const { finding } = item;
    const where = item.origin;
    if (finding.cloud === 'aws') {
      verified.rejected.push({ file: where, reason: `an AWS finding (${finding.source}) on the Azure ingest: AWS findings reach Cordon through EventBridge only` });
      continue;
    }
    if (finding.source === 'defender' && finding.alertResourceId !== undefined) {
      const problem = storedAlertDisagreement(finding, (await checks.fetchDefenderAlert(finding.alertResourceId)) as Parameters<typeof storedAlertDisagreement>[1]);
      if (problem) {
        verified.rejected.push({ file: where, reason: `Defender alert not confirmed by ARM: ${problem}` });
        continue;
      }
    }
    verified.findings.push(item);
  }
  for (const ref of result.graphAlertRefs) {
    if (checks.graphClientState !== undefined && (ref.clientState === undefined || !sameSecret(ref.clientState, checks.graphClientState))) {
      verified.rejected.push({ file: ref.origin, reason: `Graph notification for alert ${ref.alertId}: clientState ${ref.clientState === undefined ? 'missing' : 'does not match'} Cordon's subscription` });
      continue;
    }
    verified.graphAlertRefs.push(ref);
  }
  return verified;
}
