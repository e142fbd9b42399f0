import { ACTION_CATALOG, actionSpec } from '../actions/catalog.js';
import { DEFAULT_PRESERVATION, preservationParams, type PreservationSettings } from '../actions/preservation.js';
import { assessBreach, DEFAULT_CLASSIFICATION, DEFAULT_SIGNIFICANCE, type ClassificationRule, type SignificanceRule } from '../clocks/assessment.js';
import { clocksFor, DEFAULT_CLOCK_OPTIONS } from '../clocks/clocks.js';
import { incidentId, stepId } from '../incident-id.js';
import {
  type ActionName,
  type BreachTrigger,
  type Finding,
  type Incident,
  type Mode,
  type Phase,
  type PlannedStep,
  type Resource,
  type SkippedStep,
  type SkipReason,
  type Target,
  type Trust,
  isResourceType,
} from '../model.js';
import { assessTrust, DEFAULT_TRUST, findingScopeProblem, targetScopeProblem, type TrustSettings } from '../trust/trust.js';
import { compileGlobs } from '../playbooks/glob.js';
import type { Playbook, PlaybookStep } from '../playbooks/schema.js';
import { locate } from './locate.js';
import { malformedTargetId } from './target-id.js';

/**
 * Finding + playbook + settings → the incident's steps, skipped steps, clocks and breach assessment. Pure: the same
 * input always gives the same plan, so redeliveries plan identically and tests need no clock.
 */
export interface PlanSettings {
  mode: Mode;
  now: Date;
  /** When the organisation became aware; defaults to `now` (DESIGN.md §5). */
  awareAt?: Date;
  /** The entity is in NIS2 scope: significant incidents open the NIS2 Art. 23 clocks. */
  nis2: boolean;
  /** Which incidents are significant under NIS2 (DESIGN.md §5: configurable). */
  nis2Significance: SignificanceRule;
  /** GDPR role: a processor notifies its controller (`gdpr-art33-processor`) instead of the authority. */
  gdprRole: 'controller' | 'processor';
  /** Hours a processor has to notify its controller. */
  processorNotifyHours: number;
  /** Which tags classify a resource as holding personal data. */
  classification: ClassificationRule;
  /** What happened, when a person says so rather than a finding (`cordon run`): see manual.ts. */
  trigger?: BreachTrigger;
  /** Operator cap on targets per incident; the stricter of this and the playbook's `limits.maxTargets` applies. */
  maxTargetsPerIncident?: number;
  maxActionsPerAccountPerHour: number;
  /** Actions already taken this hour, per account (from the case store). */
  actionsThisHour?: Readonly<Record<string, number>>;
  /** Organization-wide cap on actions per hour, beside the per-account one (DESIGN.md §4). */
  maxActionsPerOrgPerHour?: number;
  /** Actions already taken this hour across every account. */
  orgActionsThisHour?: number;
  /** Trusted producers and the allowed accounts (DESIGN.md §4); defaults: AWS-owned products, nothing else configured. */
  trust?: TrustSettings;
  /**
   * What happens to an untrusted finding's acting steps: they wait for a person (the default; in the
   * cloud the approval goes to people), or they are skipped — a tabletop's automatic approver answers
   * tag and playbook approvals only, never a finding nobody vouches for.
   */
  untrusted?: 'await-person' | 'skip';
  /** Set while the kill switch is on (`cordon pause`): nothing acts; every step is recorded as paused. */
  paused?: { reason: string };
  /** How preservation steps protect what they preserve (snapshot lock, forensic copy); default DEFAULT_PRESERVATION. */
  preservation?: PreservationSettings;
}

export const DEFAULT_SETTINGS: Readonly<Omit<PlanSettings, 'now'>> = {
  mode: 'automatic',
  nis2: false,
  nis2Significance: DEFAULT_SIGNIFICANCE,
  gdprRole: 'controller',
  processorNotifyHours: DEFAULT_CLOCK_OPTIONS.processorNotifyHours,
  classification: DEFAULT_CLASSIFICATION,
  maxActionsPerAccountPerHour: 50,
};

/** Steps that call no cloud: Cordon's own records (clocks) still run while paused or for an untrusted finding. */
const RECORD_ONLY: ReadonlySet<ActionName> = new Set<ActionName>(['open-clock']);

export function planSettings(overrides: Partial<PlanSettings> & Pick<PlanSettings, 'now'>): PlanSettings {
  return { ...DEFAULT_SETTINGS, ...overrides };
}

export const EXEMPT_TAG = 'cordon:exempt';
export const APPROVAL_TAG = 'cordon:approval';

/** Tag keys compared case-insensitively (Azure tag names are), values too. */
export function tagValue(resource: Pick<Resource, 'tags'>, key: string): string | undefined {
  const want = key.toLowerCase();
  for (const [k, v] of Object.entries(resource.tags)) if (k.toLowerCase() === want) return v.trim().toLowerCase();
  return undefined;
}

/** The finding field a notify step needs to find the finding again in its source. */
const FINDING_HANDLE: Partial<Record<ActionName, 'productArn' | 'alertResourceId'>> = {
  'update-finding': 'productArn',
  'update-alert': 'alertResourceId',
};

/** A target of the right type that the action still cannot take, and why (the catalog entry says what is action-specific). */
function unfitTarget(action: ActionName, r: Resource): string | undefined {
  const malformed = malformedTargetId(r.id);
  if (malformed) return `${action} will not act: ${malformed}`;
  return actionSpec(action).unfitTarget?.(r);
}

interface Candidate {
  action: ActionName;
  phase: Phase;
  target: Target;
  resource?: Resource;
  params: PlaybookStep['params'];
}

const typeFilters = new WeakMap<readonly string[], (type: string) => boolean>();

function globsMatch(globs: readonly string[], type: string): boolean {
  let matches = typeFilters.get(globs);
  if (!matches) {
    matches = compileGlobs(globs);
    typeFilters.set(globs, matches);
  }
  return matches(type);
}

function stepApplies(step: PlaybookStep, finding: Finding): boolean {
  if (step.sources && !step.sources.includes(finding.source)) return false;
  if (step.exceptTypes && globsMatch(step.exceptTypes, finding.type)) return false;
  return !step.types || globsMatch(step.types, finding.type);
}

function resourceTypesOf(step: PlaybookStep): readonly string[] | null {
  const spec = ACTION_CATALOG[step.action];
  if (!spec.targets.every(isResourceType)) return null;
  return step.targets ?? spec.targets;
}

function skip(c: Candidate, reason: SkipReason, detail: string): SkippedStep {
  return { action: c.action, target: c.target, phase: c.phase, reason, detail };
}

/** One candidate per (action, target): resource steps fan out over the finding's matching resources. */
function candidates(finding: Finding, playbook: Playbook, id: string, unsupported: SkippedStep[]): Candidate[] {
  const steps = playbook.steps.filter((s) => stepApplies(s, finding));
  const covered = new Set<string>();
  for (const step of steps) {
    const types = resourceTypesOf(step);
    if (types) for (const r of finding.resources) if (types.includes(r.type)) covered.add(r.id);
  }
  const out: Candidate[] = [];
  for (const step of steps) {
    const spec = ACTION_CATALOG[step.action];
    const base = { action: step.action, phase: step.phase ?? spec.phase, params: step.params };
    const types = resourceTypesOf(step);
    if (!types) {
      const target: Target = spec.targets.includes('finding') ? { type: 'finding', id: finding.id } : { type: 'incident', id };
      out.push({ ...base, target });
      continue;
    }
    const matched = finding.resources.filter((r) => types.includes(r.type));
    for (const r of matched) out.push({ ...base, target: { type: r.type, id: r.id }, resource: r });
    if (matched.length > 0) continue;
    // Nothing here for this step: name what the finding does point at, unless another step handles it.
    for (const r of finding.resources) {
      if (covered.has(r.id)) continue;
      const hint = actionSpec(step.action).unsupportedHints?.[r.type];
      const c = { ...base, target: { type: r.type, id: r.id } };
      unsupported.push(skip(c, 'unsupported-target', `${step.action} acts on ${types.join(', ')}; ${r.id} is ${r.type}${hint ? `, ${hint}` : ''}`));
    }
  }
  const seen = new Set<string>();
  return out.filter((c) => {
    const key = stepId(c.action, c.target);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function planIncident(finding: Finding, playbook: Playbook | null, settings: PlanSettings): Incident {
  const id = incidentId(finding);
  const { assessment, regimes } = assessBreach(finding, playbook, settings);
  const trustSettings = settings.trust ?? DEFAULT_TRUST;
  const trust: Trust = assessTrust(finding, trustSettings);
  const incident: Incident = { id, finding, trust, playbook: playbook?.id ?? null, steps: [], skipped: [], clocks: [], assessment };
  if (!playbook) return incident;

  const awareAt = settings.awareAt ?? settings.now;
  const clockOptions = { processorNotifyHours: settings.processorNotifyHours };
  const sample = finding.sample && settings.mode === 'automatic';
  const maxTargets = Math.min(playbook.limits.maxTargets, settings.maxTargetsPerIncident ?? Infinity);
  const rateCap = settings.maxActionsPerAccountPerHour;
  const actionsByAccount = new Map<string, number>(Object.entries(settings.actionsThisHour ?? {}));
  const orgCap = settings.maxActionsPerOrgPerHour ?? Infinity;
  let orgActions = settings.orgActionsThisHour ?? 0;
  const acceptedTargets = new Set<string>();
  const planned: PlannedStep[] = [];
  const untrustedDetail = `the finding's producer is not trusted (${trust.reason})`;

  const all = candidates(finding, playbook, id, incident.skipped);
  // Every workflow can open clocks (workflows/compile.ts): the assessment, not the playbook's step list, decides.
  if (regimes.length > 0 && !all.some((c) => c.action === 'open-clock')) {
    all.push({ action: 'open-clock', phase: ACTION_CATALOG['open-clock'].phase, target: { type: 'incident', id }, params: {} });
  }
  for (const c of all) {
    if (c.action === 'open-clock' && regimes.length === 0) continue; // the assessment opens no clock
    if (sample) {
      incident.skipped.push(skip(c, 'sample-finding', 'sample finding: automatic mode never acts on samples (replay it with cordon tabletop)'));
      continue;
    }
    if (settings.paused && !RECORD_ONLY.has(c.action)) {
      incident.skipped.push(skip(c, 'paused', `Cordon is paused (cordon pause): ${settings.paused.reason}`));
      continue;
    }
    const r = c.resource;
    if (!r) {
      const handle = FINDING_HANDLE[c.action];
      const malformed = c.action === 'open-clock' ? undefined : malformedTargetId(c.target.id);
      if (malformed) {
        incident.skipped.push(skip(c, 'unsupported-target', `${c.action} will not act: ${malformed}`));
        continue;
      }
      if (handle && !finding[handle]) {
        incident.skipped.push(skip(c, 'unsupported-target', `finding ${finding.id} carries no ${handle}: there is no ${finding.source} finding to update`));
        continue;
      }
      if (handle && !trust.trusted) {
        incident.skipped.push(skip(c, 'untrusted', `${untrustedDetail}: nothing is written back to it`));
        continue;
      }
      const outside = handle ? findingScopeProblem(finding, trustSettings) : undefined;
      if (outside) {
        incident.skipped.push(skip(c, 'account-scope', outside));
        continue;
      }
      const params =
        c.action === 'open-clock' ? { ...c.params, regimes: regimes.join(','), awareAt: awareAt.toISOString(), processorNotifyHours: settings.processorNotifyHours } : { ...c.params };
      planned.push(step(c, { account: finding.account, region: finding.region }, false, params));
      continue;
    }
    if (tagValue(r, EXEMPT_TAG) === 'true') {
      incident.skipped.push(skip(c, 'exempt', `tag ${EXEMPT_TAG}=true on ${r.id}`));
      continue;
    }
    const outside = targetScopeProblem(r, finding, trustSettings);
    if (outside) {
      incident.skipped.push(skip(c, 'account-scope', outside));
      continue;
    }
    const unfit = unfitTarget(c.action, r);
    if (unfit) {
      incident.skipped.push(skip(c, 'unsupported-target', unfit));
      continue;
    }
    // Preservation never waits for a person, so it never runs for a finding nobody vouches for.
    if (!trust.trusted && (c.phase === 'preserve' || settings.untrusted === 'skip')) {
      const why = c.phase === 'preserve' ? 'preservation never runs for it' : 'only a person approves its steps (--approvals person)';
      incident.skipped.push(skip(c, 'untrusted', `${untrustedDetail}: ${why}`));
      continue;
    }
    if (!acceptedTargets.has(r.id) && acceptedTargets.size >= maxTargets) {
      incident.skipped.push(skip(c, 'blast-radius-targets', `the incident already acts on ${maxTargets} targets (the cap); ${r.id} is left for a person`));
      continue;
    }
    acceptedTargets.add(r.id);
    const where = locate(r, finding);
    const done = actionsByAccount.get(where.account) ?? 0;
    if (done >= rateCap) {
      incident.skipped.push(skip(c, 'blast-radius-account-rate', `account ${where.account} reached ${rateCap} actions this hour (the cap)`));
      continue;
    }
    if (orgActions >= orgCap) {
      incident.skipped.push(skip(c, 'blast-radius-org-rate', `the organization reached ${orgCap} actions this hour (the cap)`));
      continue;
    }
    actionsByAccount.set(where.account, done + 1);
    orgActions += 1;
    // Preservation never waits (evidence first); containment waits for the tag, the playbook, the action, an untrusted producer,
    // or a target the finding names ambiguously (its identifiers disagree: flagged, a person decides).
    const conflict = r.details?.['conflict'];
    // Preservation never waits for a tag, playbook, catalog or producer approval (DESIGN §4): a rejected or
    // timed-out approval must not cost the evidence. An ambiguous target still waits: it may not be ours.
    // Preservation carries how to protect what it preserves.
    const preserve = c.phase === 'preserve';
    const gated =
      !preserve && (playbook.approval === 'required' || actionSpec(c.action).approval === 'required' || tagValue(r, APPROVAL_TAG) === 'required' || !trust.trusted);
    const approval = gated || conflict !== undefined;
    const params = preserve ? { ...preservationParams(settings.preservation ?? DEFAULT_PRESERVATION), ...c.params } : { ...c.params };
    planned.push(step(c, where, approval, { ...params, ...(conflict !== undefined ? { approvalReason: conflict } : {}) }));
  }

  // Notify waits for containment and preservation; those two run side by side.
  const acting = planned.filter((s) => s.phase !== 'notify').map((s) => s.id);
  for (const s of planned) if (s.phase === 'notify') s.dependsOn = [...acting];
  incident.steps = planned;
  if (planned.some((s) => s.action === 'open-clock')) incident.clocks = clocksFor(regimes, awareAt, clockOptions);
  return incident;
}

function step(c: Candidate, where: { account: string; region: string }, approval: boolean, params: PlannedStep['params']): PlannedStep {
  return {
    id: stepId(c.action, c.target),
    action: c.action,
    target: c.target,
    phase: c.phase,
    dependsOn: [],
    account: where.account,
    region: where.region,
    approval,
    params,
  };
}
