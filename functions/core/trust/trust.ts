import type { Finding, Resource, Trust } from '../model.js';
import { parseArmId } from '../arm-id.js';
import { compileGlobs } from '../playbooks/glob.js';
import { locate } from '../plan/locate.js';

/**
 * The trust step (DESIGN.md §4), between ingest and route: may Cordon act on this finding by
 * itself, and on which of its resources? Pure: the verdict is a function of the finding and the
 * operator's settings, so `cordon plan` shows exactly what the cloud intake will decide.
 *
 * Nothing a finding says about itself is evidence of where it came from: ASFF's `ProductName`,
 * `CompanyName` and `Types` are set by whoever imports the finding (any principal holding
 * `securityhub:BatchImportFindings` can import under its own account's `default` product). Only the
 * `ProductArn` of an AWS-owned product — `arn:aws:securityhub:REGION::product/aws/NAME`, with the
 * account field empty, which no customer can import under — identifies the producer.
 */

/** AWS-owned Security Hub products Cordon acts on by default (the `NAME` of `product/aws/NAME`). */
export const DEFAULT_TRUSTED_PRODUCTS = ['guardduty', 'securityhub', 'inspector', 'macie'] as const;

/**
 * Principals Cordon never acts on, matched (globs, case-insensitive) against an IAM role or user
 * name: the organization's administrative role, Control Tower's, and break-glass identities whose
 * lock-out would leave nobody able to respond. Operators extend it with CORDON_PROTECTED_PRINCIPALS.
 */
export const DEFAULT_PROTECTED_PRINCIPALS = [
  'OrganizationAccountAccessRole',
  'AWSControlTowerExecution',
  'AWSCloudFormationStackSetExecutionRole',
  '*break-glass*',
  '*breakglass*',
  '*break_glass*',
] as const;

/** Cordon's own roles (the runner, the per-account `CordonResponder`, the stack's roles): never a target. */
export const OWN_ROLE_PATTERNS = ['Cordon*', 'cordon-*'] as const;

export interface TrustSettings {
  /** Security Hub product names (`product/aws/NAME`) whose findings act automatically. */
  trustedProducts: readonly string[];
  /** AWS accounts Cordon may act in; undefined: not configured here (the organization decides, in IAM). */
  allowedAccounts?: readonly string[];
  /** Azure subscriptions Cordon may act in; undefined: not configured. */
  allowedSubscriptions?: readonly string[];
  /** Entra tenants whose users Cordon may act on; undefined: not configured. */
  allowedTenants?: readonly string[];
  /** Cordon's own security account: never a target. */
  ownAccount?: string;
  /** Extra protected IAM principals (globs on the role or user name), on top of the defaults. */
  protectedPrincipals?: readonly string[];
  /** Entra users (object id or UPN, case-insensitive) Cordon never disables or signs out. */
  protectedUsers?: readonly string[];
}

export const DEFAULT_TRUST: Readonly<TrustSettings> = { trustedProducts: DEFAULT_TRUSTED_PRODUCTS };

/** The verdict's `reason` names the producer in both cases, so the plan says what was believed. */
export type TrustVerdict = Trust;

/** `arn:aws:securityhub:eu-west-1::product/aws/guardduty` (partition aws, aws-cn, aws-us-gov…); Security Hub V2 (OCSF) writes `productv2`. */
const AWS_PRODUCT = /^arn:aws(?:-[a-z]+)*:securityhub:[a-z0-9-]+::product(?:v2)?\/aws\/([a-z0-9-]+)$/;

/** Producers whose findings arrive only through channels no workload can write to (see `assessTrust`). */
const FIRST_PARTY: Readonly<Record<string, string>> = {
  guardduty: 'aws/guardduty',
  defender: 'microsoft/defender',
};

/**
 * Who produced the finding, as Cordon identifies it: a Security Hub delivery is its `ProductArn`
 * (whatever `source` ingest recovered — a GuardDuty finding relayed by Security Hub is judged by
 * the relay's product ARN); otherwise the source's first-party producer.
 */
export function producerOf(finding: Pick<Finding, 'source' | 'productArn'>): string {
  if (finding.productArn !== undefined) return finding.productArn;
  return FIRST_PARTY[finding.source] ?? finding.source;
}

/**
 * Trusted producers only act automatically. A GuardDuty finding without a product ARN reaches the
 * cloud intake only from EventBridge source `aws.guardduty` (no account can put `aws.*` events);
 * Defender alerts are re-read from ARM by id and Graph alerts fetched by id at the edge before they
 * get here, so their bodies are the provider's. Anything carrying a `ProductArn` is a Security Hub
 * delivery and is judged by that ARN alone.
 */
export function assessTrust(finding: Pick<Finding, 'source' | 'productArn'>, settings: TrustSettings): TrustVerdict {
  const producer = producerOf(finding);
  if (finding.productArn !== undefined) {
    const name = AWS_PRODUCT.exec(finding.productArn)?.[1];
    if (name === undefined) {
      return { trusted: false, reason: `Security Hub product ${producer} is not AWS-owned (only arn:aws:securityhub:REGION::product/aws/NAME is; ProductName and CompanyName are set by the importer)` };
    }
    if (!settings.trustedProducts.includes(name)) {
      return { trusted: false, reason: `AWS product ${name} is not on the trusted list (${settings.trustedProducts.join(', ')})` };
    }
    return { trusted: true, reason: `AWS-owned Security Hub product ${name}` };
  }
  if (FIRST_PARTY[finding.source] !== undefined) return { trusted: true, reason: `first-party producer ${producer}` };
  return { trusted: false, reason: `producer ${producer} is not a trusted source` };
}

const ACCOUNT_ID = /^\d{12}$/;
const IAM_PRINCIPAL = /^arn:aws(?:-[a-z]+)*:iam::\d*:(role|user)\/(?:.*\/)?([^/]+)$/;

/** The IAM role or user name a resource names, for the protected-principal check. */
function principalName(resource: Pick<Resource, 'type' | 'id' | 'details'>): string | undefined {
  const arn = IAM_PRINCIPAL.exec(resource.id);
  if (arn) return arn[2];
  if (resource.type === 'AwsIamRole' || resource.type === 'AwsIamUser') return resource.id.includes(':') ? undefined : resource.id;
  if (resource.type === 'AwsIamAccessKey') return resource.details?.['userName'] ?? resource.details?.['UserName'];
  return undefined;
}

const ownRole = compileGlobs(OWN_ROLE_PATTERNS.map((g) => g.toLowerCase()));
const isOwnRole = (name: string) => ownRole(name.toLowerCase());

const matcherCache = new WeakMap<TrustSettings, (name: string) => boolean>();

function protectedMatcher(settings: TrustSettings): (name: string) => boolean {
  let m = matcherCache.get(settings);
  if (!m) {
    const globs = [...OWN_ROLE_PATTERNS, ...DEFAULT_PROTECTED_PRINCIPALS, ...(settings.protectedPrincipals ?? [])].map((g) => g.toLowerCase());
    const compiled = compileGlobs(globs);
    m = (name) => compiled(name.toLowerCase());
    matcherCache.set(settings, m);
  }
  return m;
}

const lowerIncludes = (list: readonly string[] | undefined, value: string) => list === undefined || list.some((v) => v.toLowerCase() === value.toLowerCase());

/**
 * Why the finding's own account/subscription is out of scope, or undefined. A step on the finding
 * (update-finding, update-alert) acts there, and every target must be there too.
 */
export function findingScopeProblem(finding: Pick<Finding, 'cloud' | 'account'>, settings: TrustSettings): string | undefined {
  if (finding.cloud === 'aws') {
    if (!ACCOUNT_ID.test(finding.account)) return `the finding's account ${JSON.stringify(finding.account)} is not a 12-digit AWS account id`;
    if (settings.ownAccount !== undefined && finding.account === settings.ownAccount) return `account ${finding.account} is Cordon's own security account`;
    if (!lowerIncludes(settings.allowedAccounts, finding.account)) return `account ${finding.account} is not on the allowed list (CORDON_ACCOUNTS)`;
    return undefined;
  }
  return undefined;
}

/**
 * Why Cordon may not act on `resource` for `finding`, or undefined: the target must be in the
 * finding's own account (an ASFF resource ARN can name any account) and that account on the
 * allowed list; never Cordon's own account, its own roles, or a protected principal.
 */
export function targetScopeProblem(resource: Resource, finding: Pick<Finding, 'cloud' | 'account' | 'region'>, settings: TrustSettings): string | undefined {
  if (resource.type === 'Microsoft.Graph/users') {
    const names = [resource.id, resource.details?.['userPrincipalName']].filter((n): n is string => n !== undefined);
    const hit = names.find((n) => (settings.protectedUsers ?? []).some((p) => p.toLowerCase() === n.toLowerCase()));
    if (hit !== undefined) return `user ${hit} is on the protected list (CORDON_PROTECTED_USERS)`;
    // Graph alerts name the subscription when they carry an Azure resource, else the tenant.
    if (settings.allowedTenants !== undefined && !lowerIncludes(settings.allowedTenants, finding.account) && !lowerIncludes(settings.allowedSubscriptions ?? [], finding.account)) {
      return `tenant ${finding.account} is not on the allowed list (CORDON_TENANTS)`;
    }
    return undefined;
  }
  const arm = parseArmId(resource.id);
  if (arm) {
    const subscription = arm.subscriptionId;
    if (subscription.toLowerCase() !== finding.account.toLowerCase()) return `${resource.id} is in subscription ${subscription}, not the finding's ${finding.account}`;
    if (!lowerIncludes(settings.allowedSubscriptions, subscription)) return `subscription ${subscription} is not on the allowed list (CORDON_SUBSCRIPTIONS)`;
    return undefined;
  }
  if (finding.cloud !== 'aws') return undefined;
  const findingProblem = findingScopeProblem(finding, settings);
  if (findingProblem) return findingProblem;
  const { account } = locate(resource, finding);
  if (account !== finding.account) return `${resource.id} is in account ${account}, not the finding's ${finding.account}`;
  const name = principalName(resource);
  if (name !== undefined && protectedMatcher(settings)(name)) {
    return isOwnRole(name) ? `${name} is one of Cordon's own principals` : `${name} is a protected principal (break-glass, organization access; CORDON_PROTECTED_PRINCIPALS)`;
  }
  return undefined;
}
