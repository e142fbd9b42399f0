import type { BreachAssessment, BreachTrigger, ClockRegime, Finding, PersonalData, Resource, Severity } from '../model.js';
import { SEVERITIES } from '../model.js';
import { compileGlobs, type GlobMatcher } from '../playbooks/glob.js';
import type { Playbook } from '../playbooks/schema.js';

/**
 * The breach assessment every incident gets (GDPR Art. 33(5), DESIGN.md §5) and the regulatory
 * clocks it opens. Pure: finding + the playbook's clock rules + settings (+ live tags) → assessment.
 *
 * A DPO's reading of the triggers:
 * - a threat finding that shows data **exposed, accessed or exfiltrated** opens the GDPR clock when the
 *   data is personal or nobody classified it (unknown is not "no": the 72 hours run while you find out);
 * - a **compromise** of a host or identity opens it only when that host or identity is classified as
 *   reaching personal data (a crypto-miner on a build box is an incident, not a personal data breach);
 * - a **posture** finding (a compliance control FAILED: nobody is shown to have read anything) opens
 *   only an assessment, unless the resource is classified personal;
 * - NIS2 Art. 23 clocks follow **significant** incidents (a configurable rule), personal data or not.
 * The status starts at `assessing` (or `notifiable` when a clock runs on data classified personal); only
 * a person moves it to `not-notifiable` (with a rationale) or `notified`.
 */

/** Which tags say that a resource holds personal data (keys and values compared case-insensitively). */
export interface ClassificationRule {
  /** Tag keys whose value names the data class, e.g. `data-classification`. */
  classKeys: readonly string[];
  /** Classes that are personal data. */
  personalClasses: readonly string[];
  /** Classes that are special categories of personal data (GDPR Art. 9); each is also personal. */
  specialClasses: readonly string[];
  /** Tag keys whose presence means personal data unless the value is `false` or `none`, e.g. `personal-data`. */
  flagKeys: readonly string[];
}

export const DEFAULT_CLASSIFICATION: Readonly<ClassificationRule> = {
  classKeys: ['data-classification'],
  personalClasses: ['personal', 'special-category'],
  specialClasses: ['special-category'],
  flagKeys: ['personal-data'],
};

/** Which incidents are significant under NIS2 Art. 23(3), as this entity reads it. */
export interface SignificanceRule {
  triggers: readonly BreachTrigger[];
  minSeverity: Severity;
}

/** A compromised host or identity, or a confirmed exposure (a resource shown public or read by an unauthorized party). */
export const DEFAULT_SIGNIFICANCE: Readonly<SignificanceRule> = { triggers: ['compromise', 'exposure'], minSeverity: 'low' };

export interface BreachSettings {
  /** Controller (notifies the authority, Art. 33(1)) or processor (notifies its controller, Art. 33(2)). */
  gdprRole: 'controller' | 'processor';
  classification: ClassificationRule;
  nis2: boolean;
  nis2Significance: SignificanceRule;
}

export const DEFAULT_BREACH_SETTINGS: Readonly<BreachSettings> = {
  gdprRole: 'controller',
  classification: DEFAULT_CLASSIFICATION,
  nis2: false,
  nis2Significance: DEFAULT_SIGNIFICANCE,
};

/** The playbook's say in it: `clocks` of the playbook schema. */
export type PlaybookClocks = Playbook['clocks'];

/**
 * Tags read from the live resource (by resource id), which the step engine passes when it has them:
 * they replace the tags the finding carried, which may be stale or absent (GuardDuty reports no tags
 * for an access key). The planner passes none.
 */
export type LiveTags = ReadonlyMap<string, Readonly<Record<string, string>>>;

interface Classified {
  personalData: PersonalData;
  specialCategory: boolean;
  /** `tag key=value on id` for each classification read. */
  evidence: string[];
}

const lower = (values: readonly string[]) => new Set(values.map((v) => v.toLowerCase()));
const NOT_PERSONAL_FLAGS = new Set(['false', 'none', 'no']);

/** personalData of the affected resources: yes when any is classified personal, no when some are classified and none personal, else unknown. */
export function classifyResources(resources: readonly Resource[], rule: ClassificationRule = DEFAULT_CLASSIFICATION, live?: LiveTags): Classified {
  const classKeys = lower(rule.classKeys);
  const flagKeys = lower(rule.flagKeys);
  const personal = lower(rule.personalClasses);
  const special = lower(rule.specialClasses);
  const personalEvidence: string[] = [];
  const otherEvidence: string[] = [];
  let specialCategory = false;
  for (const r of resources) {
    const tags = live?.get(r.id) ?? r.tags;
    for (const [key, raw] of Object.entries(tags)) {
      const k = key.toLowerCase();
      const v = raw.trim().toLowerCase();
      const seen = `tag ${key}=${raw} on ${r.id}`;
      if (classKeys.has(k)) {
        if (personal.has(v) || special.has(v)) personalEvidence.push(seen);
        else otherEvidence.push(seen);
        if (special.has(v)) specialCategory = true;
      } else if (flagKeys.has(k)) {
        if (NOT_PERSONAL_FLAGS.has(v)) otherEvidence.push(seen);
        else personalEvidence.push(seen);
        if (special.has(v)) specialCategory = true;
      }
    }
  }
  if (personalEvidence.length > 0) return { personalData: 'yes', specialCategory, evidence: personalEvidence };
  if (otherEvidence.length > 0) return { personalData: 'no', specialCategory: false, evidence: otherEvidence };
  return { personalData: 'unknown', specialCategory: false, evidence: [] };
}

const matchers = new WeakMap<readonly string[], GlobMatcher>();
function matches(globs: readonly string[] | undefined, type: string): boolean {
  if (!globs) return false;
  let m = matchers.get(globs);
  if (!m) {
    m = compileGlobs(globs);
    matchers.set(globs, m);
  }
  return m(type);
}

/** A control check (compliance status or control id) is posture, whatever its playbook says; otherwise the playbook names exposure and compromise types. */
export function breachTrigger(finding: Finding, clocks: PlaybookClocks | undefined): BreachTrigger {
  if (finding.complianceStatus !== undefined || finding.control !== undefined) return 'posture';
  if (matches(clocks?.exposure, finding.type)) return 'exposure';
  if (matches(clocks?.compromise, finding.type)) return 'compromise';
  return 'other';
}

const atLeast = (s: Severity, floor: Severity) => SEVERITIES.indexOf(s) >= SEVERITIES.indexOf(floor);

const TRIGGER_TEXT: Record<BreachTrigger, string> = {
  exposure: 'shows data exposed, accessed or exfiltrated',
  compromise: 'is a compromise of a host or identity',
  posture: 'is a posture finding (a compliance control failed; nobody is shown to have read anything)',
  other: 'is a threat finding that shows neither exposure of data nor a compromise',
};

export interface BreachDecision {
  assessment: BreachAssessment;
  /** The clocks to open, in this order: GDPR, Art. 34, then NIS2. */
  regimes: ClockRegime[];
}

/** The assessment and clocks of one finding routed to `playbook` (null: no playbook matched, no clock). */
export function assessBreach(
  finding: Finding,
  playbook: Pick<Playbook, 'id' | 'clocks'> | null,
  settings: BreachSettings & { trigger?: BreachTrigger },
  live?: LiveTags,
): BreachDecision {
  const clocks = playbook?.clocks;
  const data = classifyResources(finding.resources, settings.classification, live);
  const trigger = settings.trigger ?? breachTrigger(finding, clocks);
  const isPublic = trigger === 'exposure' && matches(clocks?.public, finding.type);
  const severe = atLeast(finding.severity, 'high');

  const gdpr =
    clocks?.gdpr === true &&
    ((trigger === 'exposure' && data.personalData !== 'no') || ((trigger === 'compromise' || trigger === 'posture') && data.personalData === 'yes'));
  const regimes: ClockRegime[] = [];
  if (gdpr) {
    if (settings.gdprRole === 'processor') regimes.push('gdpr-art33-processor');
    // Art. 34 is the controller's duty (a processor's controller decides it), and needs data known to be personal.
    else regimes.push('gdpr-art33', ...(data.personalData === 'yes' && severe && (data.specialCategory || isPublic) ? (['gdpr-art34'] as const) : []));
  }
  const significant = settings.nis2 && playbook !== null && settings.nis2Significance.triggers.includes(trigger) && atLeast(finding.severity, settings.nis2Significance.minSeverity);
  if (significant) regimes.push('nis2-early-warning', 'nis2-notification', 'nis2-final');

  const what = trigger === 'posture' && finding.control ? `control ${finding.control} ${(finding.complianceStatus ?? 'failed').toUpperCase()} ${TRIGGER_TEXT.posture}` : `${finding.type} ${TRIGGER_TEXT[trigger]}`;
  const dataText =
    data.personalData === 'yes'
      ? `personal data${data.specialCategory ? ' of a special category (Art. 9)' : ''}: ${data.evidence.join(', ')}`
      : data.personalData === 'no'
        ? `classified not personal: ${data.evidence.join(', ')}`
        : 'no classification tag on the affected resources (personal data unknown)';
  const opened = regimes.filter((r) => !r.startsWith('nis2'));
  const gdprText = gdpr
    ? `${opened.join(' and ')} opened${data.personalData === 'unknown' ? ' while it is established whether personal data was affected' : ''}`
    : playbook === null
      ? 'no playbook matched: assessment only'
      : clocks?.gdpr !== true
        ? `playbook ${playbook.id} opens no GDPR clock: assessment only`
        : 'assessment only, no GDPR clock: a person decides whether it is notifiable';
  const nis2Text = settings.nis2 ? (significant ? '; significant under NIS2: Art. 23 clocks opened' : '; not significant under the NIS2 rule: no NIS2 clock') : '';
  return {
    assessment: {
      personalData: data.personalData,
      status: gdpr && data.personalData === 'yes' ? 'notifiable' : 'assessing',
      basis: `${dataText}; ${what}; ${gdprText}${nis2Text}`,
      trigger,
      specialCategory: data.specialCategory,
      public: isPublic,
    },
    regimes,
  };
}
