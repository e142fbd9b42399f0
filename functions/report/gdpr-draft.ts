import { REGIME_LABEL, formatUtc } from './format.js';
import type { ClockRegime, Finding } from '../core/model.js';
import type { ReportIncident, ReportModel } from './model.js';

/** A piece of draft text: what Cordon knows, or a clearly marked gap only a person can fill. */
export type DraftSegment = { text: string } | { todo: string };
export interface DraftSection {
  heading: string;
  paragraphs: DraftSegment[][];
}

export const todoText = (what: string): string => `[TO BE COMPLETED BY DPO: ${what}]`;

const t = (text: string): DraftSegment => ({ text });
const todo = (what: string): DraftSegment => ({ todo: what });

/** What exposure of each resource type may mean for the people whose data it holds. */
const CONSEQUENCE_HINT: Record<string, string> = {
  AwsEc2Instance: 'data processed on or reachable from the compromised instance may have been read, altered or exfiltrated',
  AwsS3Bucket: 'objects in the bucket may have been readable by anyone on the internet while access was public',
  AwsIamRole: 'the role’s credentials may have been used to read or change data the role can reach',
  AwsIamUser: 'the user’s credentials may have been used to read or change data the user can reach',
  AwsIamAccessKey: 'the access key may have been used to read or change data its owner can reach',
  'Microsoft.Compute/virtualMachines': 'data processed on or reachable from the virtual machine may have been read, altered or exfiltrated',
  'Microsoft.Storage/storageAccounts': 'blobs in the storage account may have been readable anonymously while public access was allowed',
  'Microsoft.Graph/users': 'the account’s mailbox, files and the applications it can sign in to may have been accessed',
};

/**
 * The GDPR Art. 33(3) notification draft for one incident with a GDPR clock: (a) nature of the
 * breach, (b) DPO contact, (c) likely consequences, (d) measures taken or proposed. Cordon fills
 * what it recorded; everything else is a marked placeholder.
 */
export function gdprDraft(incident: ReportIncident, model: ReportModel, regime: 'gdpr-art33' | 'gdpr-art33-processor' = 'gdpr-art33'): DraftSection[] | undefined {
  const clock = incident.clocks.find((c) => c.regime === regime);
  if (!clock) return undefined;
  const f = incident.finding;
  const resources = f.resources.map((r) => `${r.type} ${r.id}`).join('; ') || 'no resource named in the finding';
  const pd = incident.personalData;
  const done = incident.steps.filter((s) => s.status === 'succeeded' && s.phase !== 'notify');
  const failed = incident.steps.filter((s) => s.status === 'failed');
  const hints = [...new Set(f.resources.map((r) => CONSEQUENCE_HINT[r.type]).filter((h): h is string => h !== undefined))];

  return [
    {
      heading: 'Timing',
      paragraphs: [
        [t(`Became aware: ${formatUtc(clock.awareAt)}. ${REGIME_LABEL[clock.regime]} due by ${formatUtc(clock.deadline)} (${regime === 'gdpr-art33' ? '72 hours after awareness' : 'without undue delay after awareness, as agreed with the controller'}).`)],
        [t('If notifying after the deadline, the reasons for the delay (Art. 33(1)): '), todo('reasons for any delay, or delete')],
      ],
    },
    {
      heading: '(a) Nature of the personal data breach',
      paragraphs: [
        [
          t(
            `${PRODUCT_NAMES[f.source]} reported “${f.title}” (${f.type}, severity ${f.severity}) at ${formatUtc(f.observedAt)} in ${f.cloud === 'aws' ? 'AWS account' : 'Azure subscription'} ${f.account}, region ${f.region}. Affected resources: ${resources}.`,
          ),
        ],
        [t('Categories of data subjects concerned: '), pd?.subjects ? t(pd.subjects) : todo('categories of data subjects (customers, employees …)')],
        [t('Categories of personal data records concerned: '), pd?.categories?.length ? t(pd.categories.join(', ')) : todo('categories of personal data held on the affected resources')],
        [
          t('Approximate number of data subjects: '),
          pd?.approxSubjects !== undefined ? t(`about ${pd.approxSubjects.toLocaleString('en')}`) : todo('approximate number of data subjects'),
          t('. Approximate number of personal data records: '),
          pd?.approxRecords !== undefined ? t(`about ${pd.approxRecords.toLocaleString('en')}`) : todo('approximate number of records'),
          t('.'),
        ],
      ],
    },
    {
      heading: '(b) Data protection officer or other contact point',
      paragraphs: [[model.dpo ? t(`${model.dpo.name}, ${model.dpo.contact}`) : todo('name and contact details of the DPO or other contact point')]],
    },
    {
      heading: '(c) Likely consequences of the breach',
      paragraphs: [
        ...(hints.length ? [[t(`From the resources affected: ${hints.join('; ')}.`)]] : []),
        [todo('likely consequences for the data subjects (identity theft, fraud, loss of confidentiality …), given the data actually held')],
      ],
    },
    {
      heading: '(d) Measures taken or proposed',
      paragraphs: [
        done.length
          ? [t(`Taken by Cordon (${incident.playbook ?? 'manual'}): ${done.map((s) => `${s.action} on ${s.target.id} at ${formatUtc(s.finishedAt)}`).join('; ')}.`)]
          : [t('No containment action has completed yet.')],
        ...(failed.length ? [[t(`Attempted but failed, escalated to the response team: ${failed.map((s) => `${s.action} on ${s.target.id} (${s.errorClass ?? 'error'})`).join('; ')}.`)]] : []),
        ...(incident.evidence.length ? [[t(`Evidence preserved for forensic analysis: ${incident.evidence.map((e) => e.id).join(', ')}.`)]] : []),
        [t('Measures to mitigate possible adverse effects and further measures proposed: '), todo('e.g. credential resets, informing data subjects (Art. 34), forensic findings')],
      ],
    },
  ];
}

/** Who reported the finding, as a notification names it. */
const PRODUCT_NAMES: Record<Finding['source'], string> = {
  defender: 'Microsoft Defender for Cloud',
  guardduty: 'Amazon GuardDuty',
  securityhub: 'AWS Security Hub',
  ocsf: 'AWS Security Hub (OCSF)',
};

/** A notification draft for one regime: who it goes to and its sections. */
export interface Draft {
  regime: ClockRegime;
  title: string;
  intro: string;
  sections: DraftSection[];
}

const PREFILLED = 'Pre-filled by Cordon from what it recorded. Marked text must be completed before sending.';

function measuresTaken(incident: ReportIncident): string {
  const done = incident.steps.filter((s) => s.status === 'succeeded' && s.phase !== 'notify');
  return done.length ? done.map((s) => `${s.action} on ${s.target.id} at ${formatUtc(s.finishedAt)}`).join('; ') : 'no containment action has completed yet';
}

/** GDPR Art. 33(2): a processor tells its controller, which then decides and notifies. */
function processorDraft(incident: ReportIncident, model: ReportModel): DraftSection[] | undefined {
  const base = gdprDraft(incident, model, 'gdpr-art33-processor');
  if (!base) return undefined;
  return [
    {
      heading: 'To the controller',
      paragraphs: [
        [t('Addressed to: '), todo('the controller named in the data processing agreement, and its contact for breach notices')],
        [t('As your processor (GDPR Art. 33(2)) we notify you without undue delay of a personal data breach affecting data we process on your behalf. The details below are to help you assess it and, where required, notify the supervisory authority (Art. 33(1)) and the data subjects (Art. 34). We will assist you as agreed (Art. 28(3)(f)).')],
      ],
    },
    ...base,
  ];
}

/** GDPR Art. 34(2): the people concerned, in clear and plain language. */
function art34Draft(incident: ReportIncident, model: ReportModel): DraftSection[] | undefined {
  const clock = incident.clocks.find((c) => c.regime === 'gdpr-art34');
  if (!clock) return undefined;
  const pd = incident.personalData;
  return [
    {
      heading: 'What happened',
      paragraphs: [
        [t(`On ${formatUtc(incident.finding.observedAt)} our security monitoring detected that ${incident.finding.title.replace(/\.$/, '')}. `), todo('describe in plain language what happened and when')],
      ],
    },
    { heading: 'What information is involved', paragraphs: [[pd?.categories?.length ? t(pd.categories.join(', ')) : todo('the kinds of personal information concerned')]] },
    { heading: 'What this may mean for you', paragraphs: [[todo('likely consequences for the people concerned, in plain language')]] },
    { heading: 'What we have done', paragraphs: [[t(`We acted at once: ${measuresTaken(incident)}. `), todo('further measures taken or proposed')]] },
    { heading: 'What you can do', paragraphs: [[todo('concrete steps people can take (change passwords, watch for phishing, contact their bank …)')]] },
    { heading: 'Who to contact', paragraphs: [[model.dpo ? t(`${model.dpo.name}, ${model.dpo.contact}`) : todo('name and contact details of the DPO or other contact point')]] },
  ];
}

/** NIS2 Art. 23(4)(a): the early warning to the CSIRT or competent authority. */
function nis2EarlyWarning(incident: ReportIncident): DraftSection[] | undefined {
  const clock = incident.clocks.find((c) => c.regime === 'nis2-early-warning');
  if (!clock) return undefined;
  const f = incident.finding;
  return [
    { heading: 'Timing', paragraphs: [[t(`Became aware: ${formatUtc(clock.awareAt)}. Early warning due by ${formatUtc(clock.deadline)} (24 hours after awareness).`)]] },
    {
      heading: 'The significant incident',
      paragraphs: [
        [t(`${PRODUCT_NAMES[f.source]} reported “${f.title}” (${f.type}, severity ${f.severity}) at ${formatUtc(f.observedAt)} in ${f.cloud === 'aws' ? 'AWS account' : 'Azure subscription'} ${f.account}, region ${f.region}.`)],
        [t('Suspected to be caused by unlawful or malicious acts: '), todo('yes / no / not yet known — the detection type suggests malicious activity; confirm')],
        [t('Could have a cross-border impact: '), todo('yes / no / not yet known, and which Member States')],
      ],
    },
  ];
}

/** NIS2 Art. 23(4)(b): the incident notification, updating the early warning. */
function nis2Notification(incident: ReportIncident): DraftSection[] | undefined {
  const clock = incident.clocks.find((c) => c.regime === 'nis2-notification');
  if (!clock) return undefined;
  const f = incident.finding;
  return [
    { heading: 'Timing', paragraphs: [[t(`Became aware: ${formatUtc(clock.awareAt)}. Incident notification due by ${formatUtc(clock.deadline)} (72 hours after awareness); it updates the early warning.`)]] },
    {
      heading: 'Initial assessment',
      paragraphs: [
        [t(`Severity as detected: ${f.severity}. Affected resources: ${f.resources.map((r) => `${r.type} ${r.id}`).join('; ') || 'none named'}.`)],
        [t('Impact on the services provided: '), todo('services affected, users affected, duration')],
      ],
    },
    { heading: 'Indicators of compromise', paragraphs: [[t(`Finding ${f.id} (${f.type}). `), todo('IP addresses, domains, hashes established by the investigation')]] },
    { heading: 'Measures taken', paragraphs: [[t(`${measuresTaken(incident)}.`)]] },
    { heading: 'Final report', paragraphs: [[t('A final report is due one month after this notification is submitted (Art. 23(4)(d)).')]] },
  ];
}

/** Every draft an incident's clocks call for, in regime order. */
export function notificationDrafts(incident: ReportIncident, model: ReportModel): Draft[] {
  const drafts: Draft[] = [];
  const add = (regime: ClockRegime, title: string, sections: DraftSection[] | undefined) => {
    if (sections) drafts.push({ regime, title, intro: PREFILLED, sections });
  };
  add('gdpr-art33', 'GDPR Art. 33(3) notification draft', gdprDraft(incident, model));
  add('gdpr-art33-processor', 'GDPR Art. 33(2) notice to the controller (draft)', processorDraft(incident, model));
  add('gdpr-art34', 'GDPR Art. 34 communication to the people concerned (draft)', art34Draft(incident, model));
  add('nis2-early-warning', 'NIS2 Art. 23(4)(a) early warning (draft)', nis2EarlyWarning(incident));
  add('nis2-notification', 'NIS2 Art. 23(4)(b) incident notification (draft)', nis2Notification(incident));
  return drafts;
}
