import * as z from 'zod';
import type { Finding, Resource, WorkflowStatus } from '../model.js';
import { parseArmId } from '../arm-id.js';
import { toIsoUtc } from './dates.js';
import { type Path, reasonAt, zodReason } from './issues.js';
import { isRecord } from './json.js';
import { labelSeverity } from './severity.js';
import { type Normalized, accept, reject, translate } from './types.js';

const text = z.string().nullish();

/**
 * A `Microsoft.Security/locations/alerts` resource (api-version 2022-01-01). The older continuous-export
 * names (alertName, reportedSeverity, state, detectedTimeUtc, associatedResource) are read as fallbacks.
 */
const DefenderAlert = z.object({
  id: z.string().min(1),
  name: text,
  type: text,
  properties: z.object({
    alertType: text,
    alertName: text,
    alertDisplayName: text,
    severity: text,
    reportedSeverity: text,
    status: text,
    state: text,
    startTimeUtc: text,
    timeGeneratedUtc: text,
    detectedTimeUtc: text,
    compromisedEntity: text,
    associatedResource: text,
    description: text,
    isSample: z.boolean().nullish(),
    resourceIdentifiers: z
      .array(z.object({ type: text, azureResourceId: text }).loose())
      .nullish(),
    entities: z.array(z.object({ type: text, azureID: text }).loose()).nullish(),
    extendedProperties: z.record(z.string(), z.unknown()).nullish(),
  }),
});
type DefenderAlert = z.infer<typeof DefenderAlert>;

/** Does this look like a Defender for Cloud alert (so that a missing field is reported, not "unrecognized")? */
export function looksLikeDefenderAlert(value: Record<string, unknown>): boolean {
  const type = value['type'];
  const id = value['id'];
  return (
    (typeof type === 'string' && /^Microsoft\.Security\/locations\/alerts$/i.test(type)) ||
    (typeof id === 'string' && /\/providers\/Microsoft\.Security\/locations\/[^/]+\/alerts\//i.test(id))
  );
}

export function normalizeDefender(value: unknown, path: Path): Normalized {
  const parsed = DefenderAlert.safeParse(value);
  if (!parsed.success) return reject(zodReason(parsed.error, value, path));
  const alert = parsed.data;
  const p = alert.properties;
  const alertId = parseArmId(alert.id);
  if (!alertId) return reject(reasonAt([...path, 'id'], 'expected an ARM id (/subscriptions/…)'));
  const type = p.alertType || p.alertName;
  if (!type) return reject(reasonAt([...path, 'properties', 'alertType'], 'required'));
  const severityLabel = p.severity || p.reportedSeverity;
  if (!severityLabel) return reject(reasonAt([...path, 'properties', 'severity'], 'required'));
  const severity = labelSeverity(severityLabel);
  if (!severity) return reject(reasonAt([...path, 'properties', 'severity'], `unknown severity ${JSON.stringify(severityLabel)}`));
  const time = p.timeGeneratedUtc || p.startTimeUtc || p.detectedTimeUtc;
  if (!time) return reject(reasonAt([...path, 'properties', 'timeGeneratedUtc'], 'required'));
  const observedAt = toIsoUtc(time);
  if (!observedAt) return reject(reasonAt([...path, 'properties', 'timeGeneratedUtc'], 'expected an ISO-8601 date-time'));
  const region = alertId.location || 'global';
  const finding: Finding = {
    id: alertId.canonicalId,
    source: 'defender',
    cloud: 'azure',
    type,
    title: p.alertDisplayName || type,
    severity,
    account: alertId.subscriptionId,
    region,
    observedAt,
    sample: isSampleAlert(alert),
    // The alert's location is where Defender stores it, not necessarily where the resource runs.
    resources: withAttackDetails(alertResources(alert), {
      remoteIp: (p.entities ?? []).filter((e) => e.type?.toLowerCase() === 'ip').map((e) => e['address']),
      authentication: extendedProperty(p.extendedProperties, 'authentication type'),
    }),
    recordState: 'active',
    alertResourceId: alertId.canonicalId,
  };
  const status = translate(DEFENDER_STATUS, p.status || p.state);
  if (status) finding.workflowStatus = status;
  return accept(finding);
}

/** Defender alert status → ASFF-style workflow status (Active is untouched, InProgress is being handled). */
const DEFENDER_STATUS = new Map<string, WorkflowStatus>([
  ['active', 'new'],
  ['new', 'new'],
  ['inprogress', 'notified'],
  ['resolved', 'resolved'],
  ['dismissed', 'suppressed'],
]);

/**
 * "Create sample alerts" produces alerts titled `[SAMPLE ALERT] …` with `SIMULATED_` alert types, and the
 * validation alert `VM_EICAR` is documented as "test alert (not a threat)". The API has no documented
 * sample flag; `isSample` is honoured in case a producer sets it.
 */
function isSampleAlert(alert: DefenderAlert): boolean {
  const p = alert.properties;
  return hasSampleMarker({ flag: p.isSample, type: p.alertType || p.alertName, title: p.alertDisplayName, description: p.description });
}

function hasSampleMarker(a: { flag?: boolean | null; type?: string | null; title?: string | null; description?: string | null }): boolean {
  return (
    a.flag === true ||
    /^\s*\[SAMPLE ALERT\]/i.test(a.title ?? '') ||
    /^SIMULATED_/i.test(a.type ?? '') ||
    /^VM_EICAR$/i.test(a.type ?? '') ||
    /^THIS IS A SAMPLE ALERT/i.test(a.description ?? '')
  );
}

/** Every ARM resource the alert names: resourceIdentifiers, then the legacy associatedResource and host entities. */
function alertResources(alert: DefenderAlert): Resource[] {
  const p = alert.properties;
  const primary = (p.resourceIdentifiers ?? []).filter((r) => r.type === 'AzureResource').map((r) => r.azureResourceId);
  const ids = [...primary, p.associatedResource, ...(p.entities ?? []).map((e) => e.azureID)];
  return flagConflicts(armResources(ids, p.compromisedEntity), primary.length > 0 ? primary : [p.associatedResource], 'resourceIdentifiers');
}

/**
 * An alert whose identifiers disagree (resourceIdentifiers names vm1, an entity names vm2) must not
 * quietly act on both: each resource of a type the primary identifiers also name, but not named by
 * them, carries `details.conflict`, and the planner makes its steps wait for a person.
 */
export function flagConflicts(resources: Resource[], primaryIds: readonly (string | null | undefined)[], primaryField: string): Resource[] {
  const primary = resources.filter((r) => primaryIds.some((id) => !!id && id.toLowerCase() === r.id.toLowerCase()));
  for (const r of resources) {
    if (primary.includes(r)) continue;
    const same = primary.filter((p) => p.type === r.type);
    if (same.length === 0) continue;
    const names = same.map((p) => p.details?.['name'] ?? p.id).join(', ');
    r.details = { ...r.details, conflict: `the alert's identifiers disagree: ${primaryField} names ${names}, another field names ${r.details?.['name'] ?? r.id}` };
  }
  return resources;
}

/** An extended property by name, whatever its case (Defender writes `Authentication type` and `authentication type`). */
export function extendedProperty(props: Record<string, unknown> | null | undefined, name: string): string | undefined {
  const hit = Object.entries(props ?? {}).find(([k, v]) => k.toLowerCase() === name && typeof v === 'string');
  return hit?.[1] as string | undefined;
}

const PRIVATE_OR_UNSET = /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|127\.|0+\.|f[cd][0-9a-f]{2}:|fe80:)/i;

/**
 * What the attacker model (DESIGN §8) reads off an alert, put on the resources it concerns: the
 * first public address of an `ip` entity on each VM (`remoteIp`: the flow to cut), and how a
 * storage account was reached (`authentication`: Defender for Storage's "Authentication type").
 */
export function withAttackDetails(resources: Resource[], facts: { remoteIp: readonly unknown[]; authentication?: string | undefined }): Resource[] {
  const remoteIp = facts.remoteIp.find((v): v is string => typeof v === 'string' && /^[0-9a-f.:]+$/i.test(v) && !PRIVATE_OR_UNSET.test(v));
  for (const r of resources) {
    if (r.type === 'Microsoft.Compute/virtualMachines' && remoteIp) r.details = { ...r.details, remoteIp };
    if (r.type === 'Microsoft.Storage/storageAccounts' && facts.authentication) r.details = { ...r.details, authentication: facts.authentication };
  }
  return resources;
}

/** ARM ids → resources, typed by the id itself and de-duplicated (ids are case-insensitive). */
export function armResources(ids: readonly (string | null | undefined)[], compromisedEntity?: string | null): Resource[] {
  const seen = new Set<string>();
  const out: Resource[] = [];
  for (const raw of ids) {
    if (!raw) continue;
    const arm = parseArmId(raw);
    if (!arm) continue;
    const key = arm.canonicalId.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const resource: Resource = { type: arm.type, id: arm.canonicalId, tags: {}, account: arm.subscriptionId };
    const details: Record<string, string> = {};
    if (arm.resourceGroup) details['resourceGroup'] = arm.resourceGroup;
    details['name'] = arm.name;
    if (compromisedEntity && arm.name.toLowerCase() === compromisedEntity.toLowerCase()) details['compromised'] = 'true';
    resource.details = details;
    out.push(resource);
  }
  return out;
}

/**
 * The PascalCase `SecurityAlert` shape that workflow automation (Logic Apps) delivers and continuous export
 * writes to Event Hub: top-level `AlertType`, `SystemAlertId`, `AzureResourceId`, `ResourceIdentifiers[]`,
 * `Entities` with JSON.NET `$id`/`$ref` references; no `id`/`properties`.
 */
const DefenderExportAlert = z
  .object({
    AlertType: z.string().min(1),
    SystemAlertId: z.string().min(1),
    AzureResourceId: text,
    AlertDisplayName: text,
    Description: text,
    Severity: z.string().min(1),
    Status: text,
    TimeGenerated: text,
    StartTimeUtc: text,
    CompromisedEntity: text,
    AlertUri: text,
    IsSample: z.boolean().nullish(),
    ResourceIdentifiers: z.array(z.object({ Type: text, AzureResourceId: text }).loose()).nullish(),
    Entities: z.array(z.unknown()).nullish(),
  })
  .loose();

export function looksLikeDefenderExport(value: Record<string, unknown>): boolean {
  return typeof value['AlertType'] === 'string' && ('SystemAlertId' in value || 'AzureResourceId' in value) && !('properties' in value);
}

export function normalizeDefenderExport(value: unknown, path: Path): Normalized {
  const parsed = DefenderExportAlert.safeParse(value);
  if (!parsed.success) return reject(zodReason(parsed.error, value, path));
  const a = parsed.data;
  const severity = labelSeverity(a.Severity);
  if (!severity) return reject(reasonAt([...path, 'Severity'], `unknown severity ${JSON.stringify(a.Severity)}`));
  const time = a.TimeGenerated || a.StartTimeUtc;
  if (!time) return reject(reasonAt([...path, 'TimeGenerated'], 'required'));
  const observedAt = toIsoUtc(time);
  if (!observedAt) return reject(reasonAt([...path, 'TimeGenerated'], 'expected an ISO-8601 date-time'));
  const entityIds = resolvedEntities(a.Entities ?? []).flatMap((e) => [e['ResourceId'], e['AzureID'], e['AzureResourceId']]);
  const ids = [
    ...(a.ResourceIdentifiers ?? []).filter((r) => r.Type === 'AzureResource').map((r) => r.AzureResourceId),
    a.AzureResourceId,
    ...entityIds.map((v) => (typeof v === 'string' ? v : undefined)),
  ];
  const entities = resolvedEntities(a.Entities ?? []);
  const extended = a['ExtendedProperties'];
  const primary = [...(a.ResourceIdentifiers ?? []).filter((r) => r.Type === 'AzureResource').map((r) => r.AzureResourceId), a.AzureResourceId];
  const resources = withAttackDetails(flagConflicts(armResources(ids, a.CompromisedEntity), primary, 'ResourceIdentifiers/AzureResourceId'), {
    remoteIp: entities.filter((e) => String(e['Type'] ?? e['type']).toLowerCase() === 'ip').map((e) => e['Address'] ?? e['address']),
    authentication: extendedProperty(isRecord(extended) ? extended : undefined, 'authentication type'),
  });
  const scope = a.AzureResourceId ? parseArmId(a.AzureResourceId) : undefined;
  const account = scope?.subscriptionId ?? resources[0]?.account;
  if (!account) return reject(reasonAt([...path, 'AzureResourceId'], 'required: an ARM id naming the subscription'));
  // The portal link names where Defender keeps the alert (`…/location/westeurope`); with the resource group it
  // gives the alert's ARM id, the same id the Microsoft.Security alert resource shape carries.
  const location = a.AlertUri ? /\/location\/([A-Za-z0-9]+)(?:[/?#]|$)/.exec(a.AlertUri)?.[1] : undefined;
  const alertResourceId =
    location && scope?.resourceGroup
      ? parseArmId(`/subscriptions/${account}/resourceGroups/${scope.resourceGroup}/providers/Microsoft.Security/locations/${location}/alerts/${a.SystemAlertId}`)?.id
      : undefined;
  const finding: Finding = {
    id: alertResourceId ?? a.SystemAlertId,
    source: 'defender',
    cloud: 'azure',
    type: a.AlertType,
    title: a.AlertDisplayName || a.AlertType,
    severity,
    account,
    region: location ?? 'global',
    observedAt,
    // Same markers as the resource shape: `SIMULATED_` types, `[SAMPLE ALERT]` titles, "THIS IS A SAMPLE ALERT".
    sample: hasSampleMarker({ flag: a.IsSample, type: a.AlertType, title: a.AlertDisplayName, description: a.Description }),
    resources,
    recordState: 'active',
  };
  if (alertResourceId) finding.alertResourceId = alertResourceId;
  const status = translate(DEFENDER_STATUS, a.Status);
  if (status) finding.workflowStatus = status;
  return accept(finding);
}


/**
 * Entities as JSON.NET writes them: an object appears once with `$id`, later mentions are `{"$ref": id}`,
 * and objects nest (a K8s-cluster entity holds its CloudResource). Every object is returned once, refs resolved.
 */
function resolvedEntities(entities: readonly unknown[]): Record<string, unknown>[] {
  const byId = new Map<string, Record<string, unknown>>();
  const all: Record<string, unknown>[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (depth > 8) return;
    if (Array.isArray(v)) return v.forEach((x) => walk(x, depth + 1));
    if (!isRecord(v)) return;
    const id = v['$id'];
    if (typeof id === 'string') byId.set(id, v);
    if (typeof v['$ref'] !== 'string') all.push(v);
    for (const child of Object.values(v)) if (typeof child === 'object' && child !== null) walk(child, depth + 1);
  };
  walk(entities, 0);
  for (const e of entities) {
    const ref = isRecord(e) ? e['$ref'] : undefined;
    const target = typeof ref === 'string' ? byId.get(ref) : undefined;
    if (target && !all.includes(target)) all.push(target);
  }
  return all;
}
