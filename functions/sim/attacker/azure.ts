import type { Finding } from '../../core/model.js';
import type { AzureEstateState, SimNsg, SimSecurityRule, SimUser } from '../azure/state.js';
import type { CloudRules, EvidenceAtRisk, Foothold, FootholdSpec, Judgement } from './model.js';
import { inCidr } from './net.js';

/**
 * Azure's and Entra's rules for the attacker model (DESIGN §8):
 * - NSGs are stateful: a flow record is kept for an established connection, and changing an
 *   NSG's rules, or the NSG a NIC uses, applies to new flows only. Only an NSG with flow
 *   re-evaluation (`flushConnection`) re-judges established flows when its rules are updated
 *   (its initial enablement re-judges too); a flow its rules then deny is dropped
 *   (NetworkSecurityGroupPropertiesFormat.flushConnection, "Network security groups" overview);
 * - Entra: `accountEnabled: false` blocks sign-in with the password and every token refresh
 *   (refresh tokens come back if the account is enabled again before they are revoked);
 *   `revokeSignInSessions` sets `signInSessionsValidFromDateTime`, killing refresh tokens issued
 *   before it; an administrator's password reset ends the password and revokes the refresh tokens.
 *   None of these revokes an access token already issued: it stays valid until it expires (a
 *   random 60–90 minutes by default), unless the resource enforces Continuous Access Evaluation,
 *   which rejects it after such a critical event;
 * - storage: an account key, and every SAS it signed, stays good until that key is regenerated;
 *   a public container ends with `allowBlobPublicAccess: false`.
 * Azure does nothing on its own here that puts evidence at risk.
 */

export interface AzureRulesOptions {
  state: AzureEstateState;
}

const DEFAULT_ISSUED_AT = '2024-01-01T00:00:00.000Z';
const key = (id: string) => id.toLowerCase();
const armKey = (id: string) => `arm:${key(id)}`;
const lastSegment = (id: string) => id.split('/').pop() ?? id;
const time = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

type Flow = Extract<FootholdSpec, { kind: 'connection' }>;

/** The rules every NSG ends with (Azure's default security rules). */
const DEFAULT_RULES: readonly SimSecurityRule[] = [
  rule('AllowVnetInBound', 65000, 'Inbound', 'Allow', 'VirtualNetwork', 'VirtualNetwork'),
  rule('AllowAzureLoadBalancerInBound', 65001, 'Inbound', 'Allow', 'AzureLoadBalancer', '*'),
  rule('DenyAllInBound', 65500, 'Inbound', 'Deny', '*', '*'),
  rule('AllowVnetOutBound', 65000, 'Outbound', 'Allow', 'VirtualNetwork', 'VirtualNetwork'),
  rule('AllowInternetOutBound', 65001, 'Outbound', 'Allow', '*', 'Internet'),
  rule('DenyAllOutBound', 65500, 'Outbound', 'Deny', '*', '*'),
];

function rule(name: string, priority: number, direction: 'Inbound' | 'Outbound', access: 'Allow' | 'Deny', source: string, destination: string): SimSecurityRule {
  return { name, properties: { priority, direction, access, protocol: '*', sourceAddressPrefix: source, sourcePortRange: '*', destinationAddressPrefix: destination, destinationPortRange: '*' } };
}

const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'];
const isPrivate = (ip: string) => PRIVATE.some((c) => inCidr(ip, c));

function prefixMatches(prefix: string, ip: string): boolean {
  const p = prefix.trim();
  if (p === '*' || p.toLowerCase() === 'any') return true;
  if (p.toLowerCase() === 'internet') return !isPrivate(ip);
  if (p.toLowerCase() === 'virtualnetwork') return isPrivate(ip);
  if (/^[0-9a-f.:]+(\/\d+)?$/i.test(p)) return inCidr(ip, p);
  return false;
}

/** A port range (`*`, `22`, `1000-2000`, comma lists); an unknown port matches only `*`. */
function portMatches(range: string, port: number | undefined): boolean {
  if (range.trim() === '*') return true;
  if (port === undefined) return false;
  return range.split(',').some((part) => {
    const [lo, hi] = part.trim().split('-').map(Number);
    return lo !== undefined && !Number.isNaN(lo) && port >= lo && port <= (hi ?? lo);
  });
}

/** The first rule by priority for the flow's direction decides, as NSG evaluation does. */
export function nsgPermits(nsg: Pick<SimNsg, 'rules'>, flow: Pick<Flow, 'direction' | 'protocol' | 'remote' | 'port'>): { allowed: boolean; by: string } {
  const direction = flow.direction === 'inbound' ? 'Inbound' : 'Outbound';
  const rules = [...nsg.rules, ...DEFAULT_RULES].filter((r) => r.properties.direction === direction).sort((a, b) => a.properties.priority - b.properties.priority);
  for (const r of rules) {
    const p = r.properties;
    const protocol = p.protocol.toLowerCase();
    if (protocol !== '*' && protocol !== 'any' && protocol !== flow.protocol) continue;
    const remotePrefix = direction === 'Inbound' ? p.sourceAddressPrefix : p.destinationAddressPrefix;
    if (!prefixMatches(remotePrefix, flow.remote)) continue;
    if (flow.protocol !== 'icmp' && !portMatches(p.destinationPortRange, flow.port)) continue;
    return { allowed: p.access === 'Allow', by: r.name };
  }
  return { allowed: false, by: 'no rule' };
}

/** What re-evaluation looks at: a change here, on an NSG with flushConnection, re-judges the flow. */
const fingerprint = (nsg: SimNsg | undefined) => (nsg ? JSON.stringify([key(nsg.id), nsg.flushConnection === true, nsg.rules]) : 'none');

export class AzureRules implements CloudRules {
  readonly cloud = 'azure' as const;
  readonly kinds = ['connection', 'console-password', 'refresh-token', 'public-read', 'storage-key'] as const;

  constructor(private readonly options: AzureRulesOptions) {}

  private get state(): AzureEstateState {
    return this.options.state;
  }

  owns(spec: FootholdSpec): boolean {
    switch (spec.kind) {
      case 'connection':
        return spec.instance.startsWith('/subscriptions/');
      case 'console-password':
        return (spec.cloud ?? (spec.user.includes('@') ? 'azure' : 'aws')) === 'azure';
      case 'refresh-token':
      case 'storage-key':
        return true;
      case 'public-read':
        return spec.bucket.startsWith('/subscriptions/');
      default:
        return false;
    }
  }

  /** Both names of an Entra user (object id and UPN), so alerts naming either own its footholds. */
  private userKeys(user: string): string[] {
    const u = this.state.users.get(key(user));
    return [...new Set([armKey(user), ...(u ? [armKey(u.id), armKey(u.userPrincipalName)] : [])])];
  }

  describe(spec: FootholdSpec): { id: string; on: string[] } {
    switch (spec.kind) {
      case 'connection':
        return { id: `${lastSegment(spec.instance)} ${spec.direction === 'inbound' ? '←' : '→'} ${spec.remote}${spec.port !== undefined ? `:${spec.port}` : ''}/${spec.protocol}`, on: [armKey(spec.instance)] };
      // Named by UPN when the estate knows the user, so an alert naming the object id and an estate file naming the UPN hold one foothold.
      case 'console-password':
        return { id: `${this.user(spec.user)?.userPrincipalName ?? spec.user}:password`, on: this.userKeys(spec.user) };
      case 'refresh-token':
        return { id: `${this.user(spec.user)?.userPrincipalName ?? spec.user}:refresh-token`, on: this.userKeys(spec.user) };
      case 'storage-key':
        return { id: `${lastSegment(spec.account)}:${spec.via === 'sas' ? 'sas' : 'account-key'}`, on: [armKey(spec.account)] };
      case 'public-read':
        return { id: `${lastSegment(spec.bucket)} (public blob access)`, on: [armKey(spec.bucket)] };
      default:
        return { id: spec.kind, on: [] };
    }
  }

  prime(f: Foothold): void {
    const spec = f.spec;
    if (spec.kind === 'connection') f.state['nsg'] = fingerprint(this.flowNsg(spec)?.nsg);
    if (spec.kind === 'console-password') f.state['passwordSetAt'] = this.user(spec.user)?.lastPasswordChangeDateTime ?? '';
    if (spec.kind === 'storage-key') {
      for (const k of this.state.storageAccounts.get(key(spec.account))?.keys ?? []) f.state[k.keyName] = k.value;
    }
  }

  judge(f: Foothold, now: Date): Judgement {
    const spec = f.spec;
    switch (spec.kind) {
      case 'connection':
        return this.judgeFlow(f, spec);
      case 'console-password': {
        const u = this.user(spec.user);
        if (!u) return { open: false, why: `the user ${spec.user} no longer exists` };
        if (!u.accountEnabled) return { open: false, why: 'accountEnabled is false: no sign-in with the password' };
        if (u.lastPasswordChangeDateTime !== f.state['passwordSetAt']) return { open: false, why: `the password was reset at ${u.lastPasswordChangeDateTime}` };
        return { open: true, until: `accountEnabled false on ${u.userPrincipalName} (disable-user), or its password reset` };
      }
      case 'refresh-token':
        return this.judgeSession(spec, now);
      case 'storage-key': {
        const sa = this.state.storageAccounts.get(key(spec.account));
        if (!sa) return { open: false, why: 'the storage account no longer exists' };
        const stale = sa.keys.filter((k) => f.state[k.keyName] === k.value).map((k) => k.keyName);
        const what = spec.via === 'sas' ? 'a SAS signed by an account key' : 'an account key';
        if (stale.length === 0 && sa.allowSharedKeyAccess === false) return { open: false, why: 'both account keys regenerated (every SAS they signed died with them) and shared-key access disabled' };
        const missing = [...(stale.length > 0 ? [`${stale.join(' and ')} regenerated`] : []), ...(sa.allowSharedKeyAccess === false ? [] : ['allowSharedKeyAccess false'])];
        return { open: true, until: `${missing.join(', and ')} on ${lastSegment(sa.id)} (the attacker holds ${what}, which one is unknown: both keys must go)` };
      }
      case 'public-read': {
        const sa = this.state.storageAccounts.get(key(spec.bucket));
        if (!sa) return { open: false, why: 'the storage account no longer exists' };
        if (sa.allowBlobPublicAccess === false) return { open: false, why: 'allowBlobPublicAccess is false' };
        return { open: true, until: `allowBlobPublicAccess false on ${lastSegment(sa.id)}` };
      }
      default:
        return { open: true, until: 'no Azure rule closes this kind' };
    }
  }

  settle(): EvidenceAtRisk[] {
    return [];
  }

  private user(id: string): SimUser | undefined {
    return this.state.users.get(key(id));
  }

  private flowNsg(flow: Flow): { nicId: string; nsg?: SimNsg } | undefined {
    const vm = this.state.vms.get(key(flow.instance));
    if (!vm) return undefined;
    const nicId = flow.networkInterface ?? vm.nicIds[0];
    if (!nicId) return undefined;
    const nic = this.state.nics.get(key(nicId));
    const nsg = nic?.nsgId ? this.state.nsgs.get(key(nic.nsgId)) : undefined;
    return { nicId, ...(nsg ? { nsg } : {}) };
  }

  private judgeFlow(f: Foothold, flow: Flow): Judgement {
    const where = this.flowNsg(flow);
    if (!where) return { open: false, why: 'the VM or its network interface no longer exists' };
    const { nsg } = where;
    const now = fingerprint(nsg);
    const changed = now !== f.state['nsg'];
    f.state['nsg'] = now;
    if (nsg?.flushConnection === true && changed) {
      const verdict = nsgPermits(nsg, flow);
      if (!verdict.allowed) return { open: false, why: `NSG ${lastSegment(nsg.id)} re-evaluated the flow (flushConnection) and rule ${verdict.by} denies it` };
    }
    const current = nsg ? `its NSG is now ${lastSegment(nsg.id)}${nsg.flushConnection ? ' (flushConnection on, but no rule change denied the flow yet)' : ' without flushConnection'}` : 'it has no NSG';
    return {
      open: true,
      until: `flow re-evaluation on ${lastSegment(where.nicId)}: an NSG with flushConnection enabled whose rules deny ${flow.remote} — Azure keeps an established flow when rules or the NIC's NSG change (${current})`,
    };
  }

  private judgeSession(spec: Extract<FootholdSpec, { kind: 'refresh-token' }>, now: Date): Judgement {
    const u = this.user(spec.user);
    if (!u) return { open: false, why: `the user ${spec.user} no longer exists` };
    const issued = Date.parse(spec.issuedAt ?? DEFAULT_ISSUED_AT);
    const validFrom = Date.parse(u.signInSessionsValidFromDateTime);
    const revoked = validFrom > issued;
    const name = u.userPrincipalName;
    if (!revoked && u.accountEnabled) {
      return { open: true, until: `accountEnabled false on ${name} (no token refresh) and revokeSignInSessions (signInSessionsValidFromDateTime after ${time(issued)}); its last access token then lives until it expires` };
    }
    const cut = revoked ? `refresh tokens revoked (signInSessionsValidFromDateTime ${u.signInSessionsValidFromDateTime})` : 'accountEnabled is false: no token refresh (enabling the account before revokeSignInSessions brings the refresh token back)';
    // The access token already minted is not revoked by any of this: it lives out its lifetime.
    const minted = Date.parse(spec.accessTokenIssuedAt ?? spec.issuedAt ?? DEFAULT_ISSUED_AT);
    const expires = minted + spec.accessTokenLifetimeMinutes * 60_000;
    if (now.getTime() >= expires) return { open: false, why: `${cut}; its last access token expired at ${time(expires)}` };
    const critical = !u.accountEnabled || validFrom > minted || Date.parse(u.lastPasswordChangeDateTime) > minted;
    if (spec.cae && critical) return { open: false, why: `${cut}; the resources enforce Continuous Access Evaluation, which rejects its access token after that event` };
    return {
      open: true,
      until: `its access token minted at ${time(minted)} expires at ${time(expires)} (Entra does not revoke issued access tokens): wait it out with the account disabled so no new one is minted; resources enforcing Continuous Access Evaluation reject it at once after the account is disabled`,
    };
  }
}

/** Footholds a Defender / Graph alert implies (DESIGN §8); resource details come from ingest. */
export function azureFootholdsFromFinding(finding: Finding): FootholdSpec[] {
  const out: FootholdSpec[] = [];
  for (const r of finding.resources) {
    const d = r.details ?? {};
    if (r.type === 'Microsoft.Compute/virtualMachines' && d.remoteIp) {
      out.push({ kind: 'connection', instance: r.id, remote: d.remoteIp, protocol: 'tcp', direction: d.connectionDirection === 'inbound' ? 'inbound' : 'outbound', via: 'internet-gateway' });
    }
    if (r.type === 'Microsoft.Graph/users' && d.compromised === 'true') {
      out.push({ kind: 'console-password', user: r.id, cloud: 'azure' });
      out.push({ kind: 'refresh-token', user: r.id, issuedAt: finding.observedAt, accessTokenLifetimeMinutes: 90, cae: false });
    }
    if (r.type === 'Microsoft.Storage/storageAccounts') {
      const via = storageAccessVia(d.authentication);
      if (via) out.push({ kind: 'storage-key', account: r.id, via });
      // Shown public: anonymous access seen by Defender for Storage (its type, or the request's authentication).
      if (/AnonymousAccess/i.test(finding.type) || (d.authentication !== undefined && /anonymous/i.test(d.authentication))) out.push({ kind: 'public-read', bucket: r.id, via: 'policy' });
    }
  }
  return out;
}

/** Defender for Storage's "Authentication type": a SAS, or an account (shared) key. */
export function storageAccessVia(authentication: string | undefined): 'key' | 'sas' | undefined {
  if (!authentication) return undefined;
  if (/\bSAS\b|shared access signature/i.test(authentication)) return 'sas';
  if (/account key|shared key|storage key|access key/i.test(authentication)) return 'key';
  return undefined;
}
