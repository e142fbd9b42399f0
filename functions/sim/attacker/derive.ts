import type { Finding, Resource } from '../../core/model.js';
import { accessKeyIdOf, bucketNameOf, instanceIdOf, instanceOfPrincipal, roleNameOf, userNameOf } from '../../adapters/aws/targets.js';
import { azureFootholdsFromFinding } from './azure.js';
import type { FootholdSpec } from './model.js';

/**
 * Footholds a finding implies (DESIGN §8): the flow of a network action on an instance, the
 * credentials a credential-driven finding names (never the caller of a `Policy:*` finding), the
 * instance profile of an instance, and a bucket the finding shows public.
 */

/** Findings whose access key is the attacker's (GuardDuty type families). */
const CREDENTIAL_DRIVEN = [/IAMUser\//, /InstanceCredentialExfiltration/, /^Exfiltration:S3\//, /^UnauthorizedAccess:S3\//, /^Discovery:S3\//];
/** Findings that show a bucket anonymous or public. */
const SHOWS_PUBLIC = [/^Policy:S3\/Bucket(Anonymous|Public)Access/, /^Policy:S3\/BucketBlockPublicAccessDisabled/];
const PUBLIC_CONTROLS = new Set(['S3.2', 'S3.3']);

function instanceId(r: Resource): string | undefined {
  const id = instanceIdOf(r.details?.instanceId ?? r.id);
  return id.startsWith('i-') ? id : undefined;
}

export function footholdsFromFinding(finding: Finding): FootholdSpec[] {
  if (finding.cloud === 'azure') return azureFootholdsFromFinding(finding);
  const out: FootholdSpec[] = [];
  const credentialDriven = !finding.type.startsWith('Policy:') && CREDENTIAL_DRIVEN.some((re) => re.test(finding.type));
  const region = finding.region || undefined;
  const where = region ? { region } : {};
  for (const r of finding.resources) {
    const d = r.details ?? {};
    if (r.type === 'AwsEc2Instance') {
      const id = instanceId(r);
      if (!id) continue;
      if ((d.networkAction === 'NETWORK_CONNECTION' || d.networkAction === 'PORT_PROBE') && d.remoteIp) {
        const inbound = d.connectionDirection === 'inbound';
        const port = Number(inbound ? d.localPort : d.remotePort);
        const protocol = d.protocol === 'udp' || d.protocol === 'icmp' ? d.protocol : 'tcp';
        out.push({ kind: 'connection', instance: id, ...where, remote: d.remoteIp, protocol, direction: inbound ? 'inbound' : 'outbound', via: 'internet-gateway', ...(Number.isInteger(port) && port >= 0 && port <= 65535 ? { port } : {}) });
      }
      if (d.instanceProfileArn) out.push({ kind: 'instance-metadata', instance: id, ...where });
    }
    if (r.type === 'AwsIamAccessKey' && credentialDriven) {
      const key = accessKeyIdOf(r.id);
      const source = instanceOfPrincipal(d.principalId);
      if (d.userType === 'AssumedRole' && d.userName) {
        out.push({ kind: 'role-credentials', role: d.userName, accessKey: key, issuedAt: finding.observedAt, ...(source ? { instance: source } : {}), ...where });
        if (source) out.push({ kind: 'instance-metadata', instance: source, ...where });
      } else if (d.userType === 'Root') {
        out.push({ kind: 'user-credentials', user: 'root', accessKey: key, issuedAt: finding.observedAt });
      } else if (d.userName) {
        out.push({ kind: 'user-credentials', user: d.userName, accessKey: key, issuedAt: finding.observedAt });
      }
    }
    if (r.type === 'AwsS3Bucket' && (SHOWS_PUBLIC.some((re) => re.test(finding.type)) || (finding.control !== undefined && PUBLIC_CONTROLS.has(finding.control) && finding.complianceStatus === 'failed'))) {
      out.push({ kind: 'public-read', bucket: bucketNameOf(r.id), via: 'policy' });
    }
  }
  return out;
}

/** The ownership keys of a finding's resources (see Foothold.on): the footholds on them are the incident's. */
export function ownershipKeys(finding: Finding): Set<string> {
  const keys = new Set<string>();
  for (const r of finding.resources) {
    const d = r.details ?? {};
    const region = r.region || finding.region;
    switch (r.type) {
      case 'AwsEc2Instance': {
        const id = instanceId(r);
        if (id) keys.add(`instance:${region}/${id}`);
        break;
      }
      case 'AwsIamRole':
        keys.add(`role:${roleNameOf(r.id)}`);
        break;
      case 'AwsIamUser':
        keys.add(`user:${userNameOf(r.id)}`);
        break;
      case 'AwsIamAccessKey': {
        keys.add(`key:${accessKeyIdOf(r.id)}`);
        const source = instanceOfPrincipal(d.principalId);
        if (source) keys.add(`instance:${region}/${source}`);
        break;
      }
      case 'AwsS3Bucket':
        keys.add(`bucket:${bucketNameOf(r.id)}`);
        break;
      case 'AwsAccount':
        keys.add(`account:${r.id.split(':').pop() ?? r.id}`);
        break;
      default:
        keys.add(`arm:${r.id.toLowerCase()}`);
    }
  }
  return keys;
}
