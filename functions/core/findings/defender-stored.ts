import type { Finding } from '../model.js';
import { parseArmId } from '../arm-id.js';

/**
 * A Defender alert that reaches Cordon by webhook or Event Grid is a body someone sent: whoever holds
 * the URL can write one. The alert is read again from ARM by its id (adapters/azure/defender-alerts.ts)
 * and the body must agree with what Defender stored, in what decides the response: the alert type and
 * the compromised resource. Pure: body finding + stored alert → the disagreement, if any.
 */

type StoredAlert = { properties?: { alertType?: unknown; compromisedEntity?: unknown; status?: unknown } } | null | undefined;

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

export function storedAlertDisagreement(finding: Pick<Finding, 'type' | 'resources' | 'alertResourceId'>, stored: StoredAlert): string | undefined {
  const p = stored?.properties;
  if (!p) return `Defender has no alert ${finding.alertResourceId ?? '(no id)'} to compare with`;
  const storedType = text(p.alertType);
  if (storedType !== undefined && storedType.toLowerCase() !== finding.type.toLowerCase()) {
    return `the body's alert type ${finding.type} differs from the stored alert's ${storedType}`;
  }
  // Defender names the compromised resource; every resource the body asks Cordon to act on must be it.
  const entity = text(p.compromisedEntity)?.toLowerCase();
  if (entity !== undefined) {
    const others = finding.resources.filter((r) => {
      const name = parseArmId(r.id)?.name.toLowerCase();
      return name !== undefined && name !== entity && !r.id.toLowerCase().endsWith(`/${entity}`);
    });
    if (others.length > 0) return `the body names ${others.map((r) => r.id).join(', ')}, but the stored alert's compromised entity is ${text(p.compromisedEntity)}`;
  }
  return undefined;
}
