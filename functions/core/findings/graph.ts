import * as z from 'zod';
import type { Finding, Resource, WorkflowStatus } from '../model.js';
import { toIsoUtc } from './dates.js';
import { armResources, withAttackDetails } from './defender.js';
import { type Path, reasonAt, zodReason } from './issues.js';
import { isRecord } from './json.js';
import { labelSeverity } from './severity.js';
import { stringDetails, tagsFromStrings } from './tags.js';
import { type Normalized, accept, reject, translate } from './types.js';

const text = z.string().nullish();

const Evidence = z
  .object({
    '@odata.type': text,
    tags: z.array(z.string().nullable()).nullish(),
    roles: z.array(z.string().nullable()).nullish(),
    ipAddress: text,
    userAccount: z
      .object({ azureAdUserId: text, userPrincipalName: text, accountName: text, domainName: text, displayName: text })
      .nullish(),
    vmMetadata: z.object({ resourceId: text }).nullish(),
    resourceId: text,
    mdeDeviceId: text,
    deviceDnsName: text,
  })
  .loose();
type Evidence = z.infer<typeof Evidence>;

/** A Microsoft Graph security alert (`#microsoft.graph.security.alert`, alerts_v2). */
const GraphAlert = z.object({
  id: z.string().min(1),
  title: text,
  category: text,
  severity: z.string().min(1),
  status: text,
  serviceSource: text,
  tenantId: text,
  createdDateTime: z.string().min(1),
  lastActivityDateTime: text,
  lastUpdateDateTime: text,
  evidence: z.array(Evidence).nullish(),
});
type GraphAlert = z.infer<typeof GraphAlert>;

export const GRAPH_ALERT_TYPE = '#microsoft.graph.security.alert';

export function looksLikeGraphAlert(value: Record<string, unknown>): boolean {
  return (
    value['@odata.type'] === GRAPH_ALERT_TYPE ||
    (typeof value['providerAlertId'] === 'string' && typeof value['serviceSource'] === 'string')
  );
}

/**
 * Graph alerts come from Microsoft Defender XDR, so their source is `defender`. Graph's `unknown`
 * severity becomes informational: Cordon does not act automatically on an alert nobody has rated.
 */
export function normalizeGraph(value: unknown, path: Path): Normalized {
  const parsed = GraphAlert.safeParse(value);
  if (!parsed.success) return reject(zodReason(parsed.error, value, path));
  const alert = parsed.data;
  const severity = alert.severity.toLowerCase() === 'unknown' ? 'informational' : labelSeverity(alert.severity);
  if (!severity) return reject(reasonAt([...path, 'severity'], `unknown severity ${JSON.stringify(alert.severity)}`));
  const time = alert.lastActivityDateTime || alert.lastUpdateDateTime || alert.createdDateTime;
  const observedAt = toIsoUtc(time);
  if (!observedAt) return reject(reasonAt([...path, 'createdDateTime'], 'expected an ISO-8601 date-time'));
  const evidence = alert.evidence ?? [];
  const resources = withAttackDetails(evidenceResources(evidence), {
    remoteIp: evidence.filter((e) => e['@odata.type'] === '#microsoft.graph.security.ipEvidence').map((e) => e.ipAddress),
  });
  const subscription = resources.map((r) => r.account).find((a): a is string => !!a);
  const account = subscription || alert.tenantId;
  if (!account) return reject(reasonAt([...path, 'tenantId'], 'required'));
  const type = alert.category || alert.title;
  if (!type) return reject(reasonAt([...path, 'category'], 'required'));
  const finding: Finding = {
    id: alert.id,
    source: 'defender',
    cloud: 'azure',
    type,
    title: alert.title || type,
    severity,
    account,
    // Graph alerts are tenant-wide; they carry no Azure region.
    region: 'global',
    observedAt,
    sample: /^\s*\[SAMPLE ALERT\]/i.test(alert.title ?? ''),
    resources,
    recordState: 'active',
    alertResourceId: alert.id,
  };
  const status = translate(GRAPH_STATUS, alert.status);
  if (status) finding.workflowStatus = status;
  return accept(finding);
}

const GRAPH_STATUS = new Map<string, WorkflowStatus>([
  ['new', 'new'],
  ['inprogress', 'notified'],
  ['resolved', 'resolved'],
]);

/** Users become `Microsoft.Graph/users` (object id, else UPN); devices and Azure resources their ARM type. */
function evidenceResources(evidence: readonly Evidence[]): Resource[] {
  const out: Resource[] = [];
  const seen = new Set<string>();
  const add = (r: Resource) => {
    const key = `${r.type}|${r.id.toLowerCase()}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(r);
  };
  for (const e of evidence) {
    const kind = e['@odata.type'] ?? '';
    const tags = tagsFromStrings(e.tags);
    if (kind === '#microsoft.graph.security.userEvidence') {
      const u = e.userAccount;
      const id = u?.azureAdUserId || u?.userPrincipalName;
      if (!id) continue;
      add({
        type: 'Microsoft.Graph/users',
        id,
        tags,
        details: stringDetails({
          userPrincipalName: u?.userPrincipalName,
          accountName: u?.accountName,
          domainName: u?.domainName,
          displayName: u?.displayName,
          // DESIGN §8: only a user the alert marks compromised gets disabled (disable-user).
          compromised: (e.roles ?? []).some((role) => role?.toLowerCase() === 'compromised') ? 'true' : undefined,
        }),
      });
    } else if (kind === '#microsoft.graph.security.deviceEvidence' || kind === '#microsoft.graph.security.azureResourceEvidence') {
      const armId = e.vmMetadata?.resourceId || e.resourceId;
      for (const r of armResources([armId])) {
        r.tags = tags;
        r.details = { ...r.details, ...stringDetails({ mdeDeviceId: e.mdeDeviceId, deviceDnsName: e.deviceDnsName }) };
        add(r);
      }
    }
  }
  return out;
}

/** The alert a Graph change notification points at; ingest never fetches, the edge does. */
export interface GraphAlertRef {
  alertId: string;
  origin: string;
  /** The secret the subscription was created with, echoed by Graph in each notification (checked at the edge). */
  clientState?: string;
}

const ALERT_RESOURCE = /(?:^|\/)security\/alerts(?:_v2)?\/([^/?#]+)$/i;

/**
 * The alert id of a Graph change notification (`value[]` item) or of the Event Grid
 * `Microsoft.Graph.AlertCreated` data: resourceData.id, else the last segment of `resource`.
 */
export function alertIdFromNotification(data: unknown, path: Path): { alertId: string; clientState?: string } | { reason: string } {
  if (!isRecord(data)) return { reason: reasonAt(path, 'expected an object') };
  if ('lifecycleEvent' in data) return { reason: reasonAt([...path, 'lifecycleEvent'], 'a lifecycle notification, not an alert') };
  const resourceData = data['resourceData'];
  const dataId = isRecord(resourceData) && typeof resourceData['id'] === 'string' ? resourceData['id'] : undefined;
  const resource = typeof data['resource'] === 'string' ? data['resource'] : undefined;
  const fromResource = resource ? (ALERT_RESOURCE.exec(resource)?.[1] ?? (resource.includes('/') ? undefined : resource)) : undefined;
  const alertId = dataId || fromResource;
  if (!alertId) {
    return { reason: reasonAt([...path, resource ? 'resource' : 'resourceData'], resource ? 'not a security/alerts_v2 resource' : 'required') };
  }
  const clientState = typeof data['clientState'] === 'string' ? data['clientState'] : undefined;
  return clientState === undefined ? { alertId } : { alertId, clientState };
}

/** A Graph change-notification item is about an alert when its resource is `security/alerts_v2/{id}`. */
export function isAlertNotification(item: unknown): boolean {
  return isRecord(item) && typeof item['resource'] === 'string' && ALERT_RESOURCE.test(item['resource']);
}
