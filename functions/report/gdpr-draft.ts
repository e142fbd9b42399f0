import { REGIME_LABEL, formatUtc } from './format.js';
import type { ReportIncident, ReportModel } from './model.js';
import type { Finding } from '../core/model.js';

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
export function gdprDraft(incident: ReportIncident, model: ReportModel): DraftSection[] | undefined {
  const clock = incident.clocks.find((c) => c.regime === 'gdpr-art33');
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
        [t(`Became aware: ${formatUtc(clock.awareAt)}. ${REGIME_LABEL[clock.regime]} due by ${formatUtc(clock.deadline)} (72 hours after awareness).`)],
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
