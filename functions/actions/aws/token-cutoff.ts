/**
 * The session-revocation policy the IAM console's "Revoke active sessions" writes, for roles and
 * users alike: an inline policy named AWSRevokeOlderSessions denying everything to tokens whose
 * `aws:TokenIssueTime` is earlier than a cutoff. Its Sid names the incident that set it, so a
 * re-run of the same incident is already done while another incident moves the cutoff to now.
 */
export const REVOKE_POLICY_NAME = 'AWSRevokeOlderSessions';

interface Statement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: { DateLessThan?: Record<string, string> };
}

const isStar = (v: string | string[] | undefined) => v === '*' || (Array.isArray(v) && v.length === 1 && v[0] === '*');

/** Sids are alphanumeric: the incident id without its punctuation. */
export function revokeSid(incidentId: string): string {
  return `CordonRevoke${incidentId.replace(/[^A-Za-z0-9]/g, '')}`;
}

export function revokePolicyDocument(cutoff: Date, incidentId: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: revokeSid(incidentId), Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': cutoff.toISOString() } } }],
  });
}

/** The deny-all statement of an existing revocation policy, if the document has one. */
export function revocationOf(document: string): { cutoff: Date; sid?: string } | undefined {
  let parsed: { Statement?: Statement | Statement[] };
  try {
    parsed = JSON.parse(document) as { Statement?: Statement | Statement[] };
  } catch {
    return undefined;
  }
  const statements = Array.isArray(parsed.Statement) ? parsed.Statement : parsed.Statement ? [parsed.Statement] : [];
  for (const s of statements) {
    const cutoff = s.Condition?.DateLessThan?.['aws:TokenIssueTime'];
    if (s.Effect === 'Deny' && isStar(s.Action) && isStar(s.Resource) && cutoff && !Number.isNaN(Date.parse(cutoff))) return { cutoff: new Date(cutoff), sid: s.Sid };
  }
  return undefined;
}

/**
 * Where the cutoff goes: nowhere when this incident set the current one (a re-run); else to now —
 * an older cutoff from another incident leaves every token issued since valid — never earlier.
 */
export function nextCutoff(existing: { cutoff: Date; sid?: string } | undefined, incidentId: string, now: Date): Date | undefined {
  if (existing?.sid === revokeSid(incidentId)) return undefined;
  return existing && existing.cutoff > now ? existing.cutoff : now;
}
