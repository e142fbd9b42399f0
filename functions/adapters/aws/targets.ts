/**
 * Target ids as the planner hands them over (DESIGN.md §3: ARNs, an instance may be its bare id)
 * turned into the identifiers each AWS API wants.
 */

/** `arn:aws:ec2:REGION:ACCOUNT:instance/i-0abc` or `i-0abc` → `i-0abc`. */
export function instanceIdOf(id: string): string {
  const slash = id.lastIndexOf('instance/');
  return slash >= 0 ? id.slice(slash + 'instance/'.length) : id;
}

/** `arn:aws:iam::ACCOUNT:role/path/name` → `name` (RoleName has no path); a bare name passes through. */
export function roleNameOf(id: string): string {
  const match = /:role\/(.+)$/.exec(id);
  return match ? (match[1] as string).split('/').pop() as string : id;
}

/** `arn:aws:iam::ACCOUNT:user/path/name` → `name`. */
export function userNameOf(id: string): string {
  const match = /:user\/(.+)$/.exec(id);
  return match ? (match[1] as string).split('/').pop() as string : id;
}

/** `arn:aws:s3:::bucket` (or with a key) or `bucket` → `bucket`. */
export function bucketNameOf(id: string): string {
  return id.startsWith('arn:') ? (id.split(':').slice(5).join(':').split('/')[0] as string) : id;
}

/** Access key targets may arrive wrapped (`AWS::IAM::AccessKey:AKIA…`); AWS wants the bare key id. */
export function accessKeyIdOf(id: string): string {
  return /\b((?:AKIA|ASIA)[A-Z0-9]{12,})\b/.exec(id)?.[1] ?? id.split(':').pop() ?? id;
}

/** The instance of an instance-profile session: GuardDuty's `principalId` `AROA…:i-0abc` → `i-0abc`. */
export function instanceOfPrincipal(principalId: string | undefined): string | undefined {
  return principalId ? /:(i-[0-9a-f]{8,17})$/.exec(principalId)?.[1] : undefined;
}
