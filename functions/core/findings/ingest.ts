/**
 * Ingest: any supported security event in, normalized findings out (DESIGN.md §1). Pure: no I/O;
 * never throws — every problem becomes a `rejected` entry naming the field.
 *
 * Batches (an array, `detail.findings[]`, `Findings[]`, an Event Grid batch, Graph `value[]`) are read
 * item by item: a bad item is rejected on its own, naming its index (`detail.findings[2].Id: required`),
 * and the good items around it still become findings — one malformed finding must not hide the others.
 *
 * `raw` is the event that carried the finding when it carried only that one (the EventBridge or Event
 * Grid envelope included); in a batch of several it is the finding item itself.
 */
import { Buffer } from 'node:buffer';
import { canonicalJson, sha256Hex } from '../canonical-json.js';
import type { Finding, IngestedFinding, Rejected } from '../model.js';
import { looksLikeDefenderAlert, looksLikeDefenderExport, normalizeDefender, normalizeDefenderExport } from './defender.js';
import { FindingSchema } from './finding-schema.js';
import { type GraphAlertRef, alertIdFromNotification, looksLikeGraphAlert, normalizeGraph } from './graph.js';
import { normalizeGuardDuty } from './guardduty.js';
import { type Path, reasonAt, zodReason } from './issues.js';
import { MAX_DEPTH, isRecord, measure, parseJson } from './json.js';
import { legacyShape } from './legacy-shapes.js';
import { looksLikeOcsf, normalizeOcsf } from './ocsf.js';
import { normalizeSecurityHub } from './securityhub.js';
import type { Normalized } from './types.js';

export const MAX_EVENT_BYTES = 256 * 1024;

export const UNRECOGNIZED = 'unrecognized event: not a GuardDuty, Security Hub, OCSF, Defender or Graph shape';
/** EventBridge detail-types that carry findings; any other detail-type is refused by name, whatever its `source`. */
export const FINDINGS_IMPORTED_V2 = 'Findings Imported V2';
export const SUBSCRIPTION_VALIDATION = 'Microsoft.EventGrid.SubscriptionValidationEvent';
export const GRAPH_ALERT_CREATED = 'Microsoft.Graph.AlertCreated';

export interface EventGridValidation {
  validationCode: string;
  validationUrl?: string;
}

export interface IngestResult {
  findings: IngestedFinding[];
  /** `{ file, reason }`; the reason names the field: `detail.severity: expected a number, got "high"`. */
  rejected: Rejected[];
  /** Event Grid subscription validation handshakes, to be answered by the edge. */
  validations: EventGridValidation[];
  /** Graph alerts announced by a change notification; the edge fetches them and calls normalizeGraphAlert. */
  graphAlertRefs: GraphAlertRef[];
}

/** Reads one file or request body. */
export function ingestText(text: string, origin: string): IngestResult {
  return guarded(origin, (c) => {
    const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
    if (body.trim() === '') return c.reject('empty file');
    const bytes = Buffer.byteLength(body, 'utf8');
    if (bytes > MAX_EVENT_BYTES) return c.reject(tooLarge(bytes));
    const parsed = parseJson(body);
    if (!parsed.ok) return c.reject(parsed.reason);
    const size = measure(parsed.value);
    if (size.depth > MAX_DEPTH) return c.reject(tooDeep());
    if (size.unencodable) return c.reject(unencodable(size.unencodable));
    readParsed(parsed.value, c);
  });
}

/** Reads an event that a handler has already parsed (Lambda, Azure Functions). */
export function ingestValue(value: unknown, origin: string): IngestResult {
  return guarded(origin, (c) => {
    if (value === undefined || value === null || value === '') return c.reject('empty event');
    // Measured, not re-serialized: handlers call this per event and the walk is several times cheaper.
    const size = measure(value);
    if (size.depth > MAX_DEPTH) return c.reject(tooDeep());
    if (size.bytes > MAX_EVENT_BYTES) return c.reject(tooLarge(size.bytes));
    if (size.unencodable) return c.reject(unencodable(size.unencodable));
    readParsed(value, c);
  });
}

/** An Event Grid event whose envelope the edge has already read (the Azure SDK's `EventGridDeserializer`). */
export interface GridEventParts {
  /** `eventType` (EventGridSchema) or `type` (CloudEvents). */
  type: string;
  subject?: string;
  data: unknown;
}

/**
 * Reads the payload of one Event Grid event delivered to the Function App: the edge validated the
 * envelope with the SDK; what the event means is read here, as for a file. `raw` is the event as
 * delivered (kept as evidence).
 */
export function ingestGridEvent(event: GridEventParts, raw: unknown, origin: string): IngestResult {
  return guarded(origin, (c) => {
    const size = measure(raw);
    if (size.depth > MAX_DEPTH) return c.reject(tooDeep());
    if (size.bytes > MAX_EVENT_BYTES) return c.reject(tooLarge(size.bytes));
    if (size.unencodable) return c.reject(unencodable(size.unencodable));
    readGridPayload(event, raw, [], c);
  });
}

/** Normalizes a Graph alert the edge fetched after a change notification (`GET /security/alerts_v2/{id}`). */
export function normalizeGraphAlert(alert: unknown, origin: string): IngestResult {
  return guarded(origin, (c) => {
    if (!isRecord(alert)) return c.reject('expected a Graph security alert object');
    const size = measure(alert);
    if (size.depth > MAX_DEPTH) return c.reject(tooDeep());
    if (size.unencodable) return c.reject(unencodable(size.unencodable));
    c.add(normalizeGraph(alert, []), alert);
  });
}

function tooLarge(bytes: number): string {
  return `event is ${Math.ceil(bytes / 1024)} KB, over the ${MAX_EVENT_BYTES / 1024} KB limit`;
}

function tooDeep(): string {
  return `event nests deeper than ${MAX_DEPTH} levels`;
}

/** Its raw hash could never be computed (RFC 8785 has no form for it), so it cannot be evidence. */
function unencodable(what: string): string {
  return `event holds ${what}, which canonical JSON (RFC 8785) cannot encode`;
}

/** Collects results for one origin. */
class Collector {
  readonly result: IngestResult = { findings: [], rejected: [], validations: [], graphAlertRefs: [] };
  private readonly hashes = new Map<unknown, string>();
  constructor(readonly origin: string) {}

  reject(reason: string): void {
    this.result.rejected.push({ file: this.origin, reason });
  }

  add(normalized: Normalized, raw: unknown): void {
    if (!normalized.ok) return this.reject(normalized.reason);
    // The last gate: a finding leaves ingest complete or not at all.
    const checked = FindingSchema.safeParse(normalized.finding);
    if (!checked.success) return this.reject(zodReason(checked.error, normalized.finding, ['finding']));
    this.result.findings.push(ingested(normalized.finding, raw, this.origin, this.hashes));
  }
}

/**
 * The raw hash is computed on first read and remembered: routing and planning never need it, the
 * record and evidence manifest do, and hashing is most of ingest's cost. Findings of one envelope share it.
 */
function ingested(finding: Finding, raw: unknown, origin: string, hashes: Map<unknown, string>): IngestedFinding {
  const out = { finding, raw, origin } as IngestedFinding;
  Object.defineProperty(out, 'rawSha256', {
    enumerable: true,
    get(): string {
      let hash = hashes.get(raw);
      if (hash === undefined) {
        hash = sha256Hex(canonicalJson(raw));
        hashes.set(raw, hash);
      }
      return hash;
    },
  });
  return out;
}

function guarded(origin: string, body: (c: Collector) => void): IngestResult {
  const c = new Collector(origin);
  try {
    body(c);
    return c.result;
  } catch (e) {
    // Nothing reaches the caller as an exception: a bug here must not take down a handler or the CLI.
    const message = e instanceof Error ? e.message : String(e);
    return {
      findings: [],
      rejected: [{ file: origin, reason: `internal error while reading the event: ${message}` }],
      validations: [],
      graphAlertRefs: [],
    };
  }
}

function readParsed(value: unknown, c: Collector): void {
  if (Array.isArray(value)) {
    if (value.length === 0) return c.reject('empty batch: the array holds no events');
    // A top-level array is a batch: a console export, an ASFF array, or an Event Grid batch.
    value.forEach((item, i) => readObject(item, [i], c));
    return;
  }
  readObject(value, [], c);
}

function readObject(value: unknown, path: Path, c: Collector, depth = 0): void {
  if (!isRecord(value)) return c.reject(reasonAt(path, UNRECOGNIZED));
  if (typeof value['detail-type'] === 'string') return readEventBridge(value, path, c);
  if (isEventGridEvent(value)) return readGridEvent(value, path, c);
  if (Array.isArray(value['Findings'])) return readFindingsList(value['Findings'], path, c);
  if (isSnsRecords(value) && depth === 0) return readSnsRecords(value['Records'] as unknown[], path, c);
  if (isEventHubBatch(value) && depth === 0) return readEventHubBatch(value['records'] as unknown[], path, c);
  if (isGraphNotificationCollection(value)) return readGraphNotifications(value['value'] as unknown[], path, c);
  if (looksLikeGraphAlert(value)) return c.add(normalizeGraph(value, path), value);
  if (looksLikeDefenderAlert(value)) return c.add(normalizeDefender(value, path), value);
  if (looksLikeDefenderExport(value)) return c.add(normalizeDefenderExport(value, path), value);
  if (looksLikeOcsf(value)) return c.add(normalizeOcsf(value, path), value);
  if (looksLikeAsff(value)) return c.add(normalizeSecurityHub(value, path), value);
  if (looksLikeGuardDuty(value)) return c.add(normalizeGuardDuty(value, path), value);
  if (looksLikeGuardDutyPascal(value)) return c.add(normalizeGuardDuty(value, path, 'pascal'), value);
  const legacy = legacyShape(value);
  c.reject(reasonAt(path, legacy ?? UNRECOGNIZED));
}

/** An SNS→Lambda event (`Records[].Sns.Message`): each message is read as the event it carries. */
function isSnsRecords(v: Record<string, unknown>): boolean {
  const records = v['Records'];
  return Array.isArray(records) && records.length > 0 && records.every((r) => isRecord(r) && isRecord(r['Sns']));
}

/** An Event Hub batch as continuous export and diagnostic settings write it: `{"records": [...]}`. */
function isEventHubBatch(v: Record<string, unknown>): boolean {
  const records = v['records'];
  return Array.isArray(records) && records.length > 0 && Object.keys(v).length === 1;
}

function readEventHubBatch(records: unknown[], path: Path, c: Collector): void {
  records.forEach((r, i) => readObject(r, [...path, 'records', i], c, 1));
}

function readSnsRecords(records: unknown[], path: Path, c: Collector): void {
  records.forEach((r, i) => {
    const at = [...path, 'Records', i, 'Sns', 'Message'];
    const message = isRecord(r) && isRecord(r['Sns']) ? r['Sns']['Message'] : undefined;
    if (typeof message !== 'string') return c.reject(reasonAt(at, 'required: the SNS notification carries no message'));
    const inner = parseJson(message);
    if (!inner.ok || !isRecord(inner.value)) return c.reject(reasonAt(at, 'SNS notification whose message is not a JSON event'));
    // The wrapped event is read like any other (once: an SNS message inside an SNS message is not unwrapped again).
    readObject(inner.value, at, c, 1);
  });
}

function readEventBridge(event: Record<string, unknown>, path: Path, c: Collector): void {
  const detailType = event['detail-type'] as string;
  if (detailType === 'GuardDuty Finding') {
    return c.add(normalizeGuardDuty(event['detail'], [...path, 'detail']), event);
  }
  const ocsf = detailType === FINDINGS_IMPORTED_V2;
  if (detailType.startsWith('Security Hub Findings') || ocsf) {
    const detail = event['detail'];
    const findings = isRecord(detail) ? detail['findings'] : undefined;
    if (!Array.isArray(findings)) {
      const problem = findings === undefined ? 'required' : 'expected an array';
      return c.reject(reasonAt([...path, 'detail', 'findings'], problem));
    }
    if (findings.length === 0) return c.reject(reasonAt([...path, 'detail', 'findings'], 'empty: no findings'));
    const region = typeof event['region'] === 'string' ? event['region'] : undefined;
    const normalize = ocsf ? normalizeOcsf : normalizeSecurityHub;
    findings.forEach((f, i) => {
      c.add(normalize(f, [...path, 'detail', 'findings', i], region), findings.length === 1 ? event : f);
    });
    return;
  }
  const source = typeof event['source'] === 'string' ? ` from ${event['source']}` : '';
  c.reject(
    reasonAt(
      path,
      `unrecognized event: EventBridge ${JSON.stringify(detailType)} event${source} is not a finding ` +
        `(Cordon reads "GuardDuty Finding", "Security Hub Findings - Imported/Custom Action" and "${FINDINGS_IMPORTED_V2}")`,
    ),
  );
}

/** EventGridSchema (`eventType`, `eventTime`, `dataVersion`) or CloudEvents 1.0 (`specversion`, `type`). */
function isEventGridEvent(v: Record<string, unknown>): boolean {
  return (
    (typeof v['eventType'] === 'string' && ('eventTime' in v || 'dataVersion' in v || 'data' in v)) ||
    (typeof v['specversion'] === 'string' && typeof v['type'] === 'string')
  );
}

function readGridEvent(event: Record<string, unknown>, path: Path, c: Collector): void {
  const type = (typeof event['eventType'] === 'string' ? event['eventType'] : event['type']) as string;
  const subject = typeof event['subject'] === 'string' ? event['subject'] : undefined;
  readGridPayload({ type, ...(subject !== undefined ? { subject } : {}), data: event['data'] }, event, path, c);
}

/**
 * What an Event Grid event means, whichever schema carried it and whoever read its envelope (this
 * module for a file, the Azure SDK's deserializer at the Function App's edge): a subscription
 * handshake, a Graph alert announcement, or a Defender / Graph alert as its data.
 */
function readGridPayload({ type, subject, data }: GridEventParts, event: unknown, path: Path, c: Collector): void {
  const dataPath = [...path, 'data'];
  if (type === SUBSCRIPTION_VALIDATION) {
    const code = isRecord(data) ? data['validationCode'] : undefined;
    if (typeof code !== 'string' || code === '') return c.reject(reasonAt([...dataPath, 'validationCode'], 'required'));
    const url = isRecord(data) ? data['validationUrl'] : undefined;
    c.result.validations.push(typeof url === 'string' ? { validationCode: code, validationUrl: url } : { validationCode: code });
    return;
  }
  if (type === GRAPH_ALERT_CREATED) {
    const fromData = alertIdFromNotification(data, dataPath);
    const fromSubject = subject !== undefined ? /^Alert\/(.+)$/.exec(subject)?.[1] : undefined;
    if ('alertId' in fromData) c.result.graphAlertRefs.push({ alertId: fromData.alertId, origin: c.origin });
    else if (fromSubject) c.result.graphAlertRefs.push({ alertId: fromSubject, origin: c.origin });
    else c.reject(fromData.reason);
    return;
  }
  if (isRecord(data) && looksLikeDefenderAlert(data)) return c.add(normalizeDefender(data, dataPath), event);
  if (isRecord(data) && looksLikeGraphAlert(data)) return c.add(normalizeGraph(data, dataPath), event);
  if (data === undefined) return c.reject(reasonAt(dataPath, 'required'));
  c.reject(reasonAt(path, `unrecognized event: Event Grid event ${JSON.stringify(type)} carries no Defender or Graph alert`));
}

/** `{"Findings": [...]}`: GuardDuty GetFindings (PascalCase) or Security Hub GetFindings (ASFF). */
function readFindingsList(findings: unknown[], path: Path, c: Collector): void {
  if (findings.length === 0) return c.reject(reasonAt([...path, 'Findings'], 'empty: no findings'));
  findings.forEach((f, i) => {
    const at = [...path, 'Findings', i];
    if (!isRecord(f)) return c.reject(reasonAt(at, UNRECOGNIZED));
    if (looksLikeAsff(f)) return c.add(normalizeSecurityHub(f, at), f);
    if (looksLikeGuardDuty(f)) return c.add(normalizeGuardDuty(f, at), f);
    c.add(normalizeGuardDuty(f, at, 'pascal'), f);
  });
}

function isGraphNotificationCollection(v: Record<string, unknown>): boolean {
  const items = v['value'];
  return (
    Array.isArray(items) &&
    items.length > 0 &&
    items.every(isRecord) &&
    items.some((i) => 'changeType' in i || 'lifecycleEvent' in i || 'subscriptionId' in i)
  );
}

function readGraphNotifications(items: unknown[], path: Path, c: Collector): void {
  items.forEach((item, i) => {
    const ref = alertIdFromNotification(item, [...path, 'value', i]);
    if ('alertId' in ref) c.result.graphAlertRefs.push({ ...ref, origin: c.origin });
    else c.reject(ref.reason);
  });
}

function looksLikeAsff(v: Record<string, unknown>): boolean {
  return typeof v['ProductArn'] === 'string' || v['SchemaVersion'] === '2018-10-08';
}

function looksLikeGuardDuty(v: Record<string, unknown>): boolean {
  const arn = v['arn'];
  return (typeof arn === 'string' && arn.includes(':guardduty:')) || ('schemaVersion' in v && 'accountId' in v && 'service' in v);
}

function looksLikeGuardDutyPascal(v: Record<string, unknown>): boolean {
  const arn = v['Arn'];
  return (typeof arn === 'string' && arn.includes(':guardduty:')) || ('SchemaVersion' in v && 'AccountId' in v && 'Service' in v);
}
