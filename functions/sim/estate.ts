import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { InputError } from '../core/errors.js';
import { firstIssue } from '../core/zod-issue.js';
import { writePrivateFile } from '../records/private-fs.js';
import type { Finding } from '../core/model.js';
import { AwsEstateSeedSchema, createAwsEstate, createAwsSimServices, seedFromFinding as awsSeedFromFinding, applyAwsSeed, type AwsEstateState } from './aws/index.js';
import { AzureEstateSeedSchema, addAzureSeed, createAzureEstateState, createAzureSimServices, seedFromFinding as azureSeedFromFinding, type AzureEstateState } from './azure/index.js';
import type { FaultRule } from './faults.js';
import { startSimServer, type RunningSimServer, type SimRequest, type SimService } from './server.js';
import { Ec2Service } from './aws/ec2.js';
import { signingRegion } from './aws/wire.js';
import { AwsRules } from './attacker/aws.js';
import { AzureRules } from './attacker/azure.js';
import { footholdsFromFinding } from './attacker/derive.js';
import { AttackerModel, FootholdSeedSchema } from './attacker/model.js';
import { RateLimitsSchema, type RateLimitsConfig } from '../core/rate-limits.js';
import { SimRateLimiter } from './rate-limit.js';

/**
 * The simulated estate as a whole: one loopback endpoint speaking the AWS and Azure wire
 * protocols over one stateful model, seeded from an estate file and from the findings replayed.
 */
export const EstateFileSchema = z
  .object({
    name: z.string().optional(),
    description: z.string().optional(),
    aws: AwsEstateSeedSchema.optional(),
    azure: AzureEstateSeedSchema.optional(),
    /** What the attacker holds (DESIGN §8); more are derived from the findings. */
    footholds: z.array(FootholdSeedSchema).optional(),
    /** Milliseconds added to every call of an operation (`ec2:CreateSnapshots: 120`, `*: 5`). */
    latency: z.record(z.string(), z.number().int().min(0).max(60_000)).optional(),
    /** API request rate limits (per account, region and API token buckets); absent = unlimited. */
    rateLimits: RateLimitsSchema.optional(),
  })
  .strict();
/** The file as written (seed inputs are parsed again by each cloud's seeding). */
export type EstateFile = z.input<typeof EstateFileSchema>;

/** Reads and validates an estate YAML (or JSON) file; problems name the file and the field path. */
export function loadEstateFile(path: string): EstateFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(path, '', (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such estate file' : 'cannot read the estate file');
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (e) {
    throw new InputError(path, '', `not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const parsed = EstateFileSchema.safeParse(value ?? {});
  if (!parsed.success) {
    const { field, message } = firstIssue(parsed.error, 'invalid estate');
    throw new InputError(path, field, message);
  }
  return (value ?? {}) as EstateFile;
}

export interface SimulatedEstate {
  url: string;
  /** The estate's AWS state: IAM, S3 and Security Hub, and EC2 in the estate's own region. */
  aws: AwsEstateState;
  /** EC2 in the other regions findings named (EC2 is regional: the same instance id may exist in each). */
  awsRegions: ReadonlyMap<string, AwsEstateState>;
  azure: AzureEstateState;
  /** The footholds and the rules that judge them. */
  attacker: AttackerModel;
  server: RunningSimServer;
  /** The API request rate limits in force, when the estate has them. */
  rateLimiter?: SimRateLimiter;
  close(): Promise<void>;
}

export interface EstateOptions {
  file?: EstateFile;
  /** Findings whose resources must exist; the estate file's resources win where both name one. */
  findings?: readonly Finding[];
  faults?: readonly FaultRule[];
  latency?: Readonly<Record<string, number>>;
  /** API request rate limits; overrides the estate file's. */
  rateLimits?: RateLimitsConfig;
}

export async function startSimulatedEstate(options: EstateOptions): Promise<SimulatedEstate> {
  const findings = options.findings ?? [];
  const home = options.file?.aws?.region ?? findings.find((f) => f.cloud === 'aws' && f.region)?.region;
  const aws = createAwsEstate(...(home ? [{ region: home }] : []), ...(options.file?.aws ? [options.file.aws] : []));
  const awsRegions = new Map<string, AwsEstateState>();
  const azure = createAzureEstateState(options.file?.azure);
  for (const finding of findings) {
    if (finding.cloud !== 'aws') {
      addAzureSeed(azure, azureSeedFromFinding(finding));
      continue;
    }
    const seed = awsSeedFromFinding(finding);
    // Global services (IAM, S3) and Security Hub see every finding's resources in the estate's state;
    // EC2 resources of another region live in that region's own state.
    applyAwsSeed(aws, seed);
    if (finding.region && finding.region !== aws.region) {
      let regional = awsRegions.get(finding.region);
      if (!regional) awsRegions.set(finding.region, (regional = createAwsEstate({ region: finding.region })));
      applyAwsSeed(regional, seed);
    }
  }
  const attacker = new AttackerModel([new AwsRules({ home: aws, regions: awsRegions }), new AzureRules({ state: azure })]);
  for (const seed of options.file?.footholds ?? []) attacker.add(seed, 'estate-file');
  for (const finding of findings) for (const spec of footholdsFromFinding(finding)) attacker.add(spec, 'finding');
  const global = createAwsSimServices(aws).filter((service) => service.name !== 'ec2');
  const limits = options.rateLimits ?? options.file?.rateLimits;
  const rateLimiter = limits ? new SimRateLimiter(limits, aws.account, aws.region) : undefined;
  const server = await startSimServer({
    services: [regionalEc2(aws, awsRegions), ...global, ...createAzureSimServices(azure)],
    faults: options.faults ?? [],
    latency: { ...(options.file?.latency ?? {}), ...(options.latency ?? {}) },
    onServed: (call) => attacker.observe(call),
    ...(rateLimiter ? { admit: (req: SimRequest, operation: string) => rateLimiter.admit(req, operation) } : {}),
  });
  return { url: server.url, aws, awsRegions, azure, attacker, server, ...(rateLimiter ? { rateLimiter } : {}), close: () => server.close() };
}

/** EC2 answered from the state of the region the request is signed for (the estate's own by default). */
function regionalEc2(home: AwsEstateState, regions: ReadonlyMap<string, AwsEstateState>): SimService {
  const services = new Map<string, Ec2Service>([[home.region, new Ec2Service(home)], ...[...regions].map(([r, state]) => [r, new Ec2Service(state)] as const)]);
  const homeService = services.get(home.region) as Ec2Service;
  const pick = (req: SimRequest) => services.get(signingRegion(req) ?? '') ?? homeService;
  return {
    name: 'ec2',
    identify: (req) => homeService.identify(req),
    handle: (req, operation) => pick(req).handle(req, operation),
    throttled: (req) => pick(req).throttled(),
    internalError: (req) => pick(req).internalError(),
    accessDenied: (req, operation) => pick(req).accessDenied(req, operation),
  };
}

/** The file a tabletop run directory holds: the estate's final state, in the `--estate` schema. */
export const ESTATE_JSON = 'estate.json';

/** The estate.json of a $CORDON_HOME, if it holds one (a tabletop run directory). */
export function homeEstatePath(home: string): string | undefined {
  const path = join(home, ESTATE_JSON);
  return existsSync(path) ? path : undefined;
}

/**
 * The estate's current state as an estate file (the `--estate` schema), so a later `--sim`
 * command, or `tabletop --estate`, starts from exactly this state. EC2 of the estate's own
 * region is written (the estate file has one region).
 */
export function estateFileOf(estate: Pick<SimulatedEstate, 'aws' | 'azure'>): EstateFile {
  const aws = estate.aws;
  const instances = Object.values(aws.instances).map((i) => ({
    id: i.id,
    vpc: i.vpcId,
    subnet: i.subnetId,
    availabilityZone: i.availabilityZone,
    instanceType: i.instanceType,
    ...(i.networkInterfaces[0] ? { privateIp: i.networkInterfaces[0].privateIp } : {}),
    securityGroups: [...(i.networkInterfaces[0]?.groups ?? [])],
    ...(i.networkInterfaces[0]?.connectionTracking ? { connectionTracking: { ...i.networkInterfaces[0].connectionTracking } } : {}),
    // The primary interface's id derives from the instance id; the further ones are listed.
    networkInterfaces: i.networkInterfaces
      .slice(1)
      .map((n) => ({ id: n.id, subnet: n.subnetId, privateIp: n.privateIp, securityGroups: [...n.groups], ...(n.connectionTracking ? { connectionTracking: { ...n.connectionTracking } } : {}) })),
    volumes: i.volumes.map((v) => {
      const volume = aws.volumes[v.volumeId];
      return { id: v.volumeId, size: volume?.sizeGiB ?? 8, deleteOnTermination: v.deleteOnTermination, ...(volume?.kmsKeyId ? { kmsKeyId: volume.kmsKeyId } : {}) };
    }),
    terminationProtection: i.disableApiTermination,
    market: i.market,
    shutdownBehavior: i.shutdownBehavior,
    ...(i.instanceProfile ? { instanceProfile: { arn: i.instanceProfile.arn, role: i.instanceProfile.role } } : {}),
    ...(i.autoScalingGroup ? { autoScalingGroup: i.autoScalingGroup } : {}),
    state: i.state,
    tags: { ...i.tags },
  }));
  const file: EstateFile = {
    aws: {
      account: aws.account,
      region: aws.region,
      serial: aws.serial,
      instances,
      securityGroups: Object.values(aws.securityGroups).map((g) => ({ id: g.id, name: g.name, description: g.description, vpc: g.vpcId, ingress: g.ingress.map((r) => ({ ...r })), egress: g.egress.map((r) => ({ ...r })), tags: { ...g.tags } })),
      roles: Object.values(aws.roles).map((r) => ({ name: r.name, path: r.path, policies: { ...r.inlinePolicies }, tags: { ...r.tags } })),
      users: Object.values(aws.users).map((u) => ({ name: u.name, accessKeys: u.accessKeys.map((k) => ({ id: k.id, status: k.status, ...(k.lastUsed ? { lastUsedService: k.lastUsed.service } : {}) })), loginProfile: u.loginProfile !== undefined, policies: { ...u.inlinePolicies }, tags: { ...u.tags } })),
      buckets: Object.values(aws.buckets).map((b) => ({ name: b.name, region: b.region, ...(b.publicAccessBlock ? { publicAccessBlock: { ...b.publicAccessBlock } } : {}), tags: { ...b.tags } })),
      findings: Object.values(aws.findings).map((f) => ({ id: f.id, productArn: f.productArn, title: f.title, severity: f.severityLabel, workflowStatus: f.workflowStatus })),
      snapshots: Object.values(aws.snapshots).map((s) => ({
        id: s.id,
        volumeId: s.volumeId,
        size: s.volumeSizeGiB,
        description: s.description,
        startTime: s.startTime,
        ...(s.kmsKeyId ? { kmsKeyId: s.kmsKeyId } : {}),
        ...(s.lock ? { lock: { ...s.lock } } : {}),
        ...(s.sharedWith ? { sharedWith: [...s.sharedWith] } : {}),
        ...(s.copiedFrom ? { copiedFrom: s.copiedFrom } : {}),
        tags: { ...s.tags },
      })),
    },
    azure: azureSeedOf(estate.azure),
  };
  return file;
}

function azureSeedOf(az: AzureEstateState): NonNullable<EstateFile['azure']> {
  const users = new Map([...az.users.values()].map((u) => [u.id, u]));
  return {
    // NSGs first: a VM's NICs name them, and listed NSGs keep their rules.
    nsgs: [...az.nsgs.values()].map((n) => ({ id: n.id, location: n.location, tags: { ...n.tags }, rules: structuredClone(n.rules), ...(n.flushConnection !== undefined ? { flushConnection: n.flushConnection } : {}) })),
    vms: [...az.vms.values()].map((vm) => {
      const os = az.disks.get(vm.osDiskId.toLowerCase());
      return {
        id: vm.id,
        location: vm.location,
        tags: { ...vm.tags },
        nics: vm.nicIds.map((id) => ({ id, nsg: az.nics.get(id.toLowerCase())?.nsgId ?? null })),
        osDisk: { id: vm.osDiskId, sizeGb: os?.sizeGb ?? 30, osType: os?.osType ?? 'Linux' },
        dataDisks: vm.dataDiskIds.map((id) => ({ id, sizeGb: az.disks.get(id.toLowerCase())?.sizeGb ?? 128 })),
      };
    }),
    storageAccounts: [...az.storageAccounts.values()].map((s) => ({
      id: s.id,
      location: s.location,
      tags: { ...s.tags },
      ...(s.allowBlobPublicAccess !== undefined ? { allowBlobPublicAccess: s.allowBlobPublicAccess } : {}),
      ...(s.allowSharedKeyAccess !== undefined ? { allowSharedKeyAccess: s.allowSharedKeyAccess } : {}),
      keys: s.keys.map((k) => ({ ...k })),
    })),
    users: [...users.values()].map((u) => ({
      id: u.id,
      userPrincipalName: u.userPrincipalName,
      displayName: u.displayName,
      signInSessionsValidFromDateTime: u.signInSessionsValidFromDateTime,
      accountEnabled: u.accountEnabled,
      roles: [...u.roles],
      lastPasswordChangeDateTime: u.lastPasswordChangeDateTime,
    })),
    snapshots: [...az.snapshots.values()].map((s) => ({ ...s, tags: { ...s.tags } })),
    locks: [...az.locks.values()].map((l) => ({ ...l })),
    defenderAlerts: [...az.defenderAlerts.values()].map((a) => ({ id: a.id, status: a.status, alertType: a.alertType, displayName: a.displayName, severity: a.severity, ...(a.compromisedEntity ? { compromisedEntity: a.compromisedEntity } : {}) })),
    graphAlerts: [...az.graphAlerts.values()].map((g) => structuredClone(g) as { id: string }),
  };
}

/** Writes the estate's state to `path` (estate.json of a run directory). */
export function saveEstate(estate: Pick<SimulatedEstate, 'aws' | 'azure'>, path: string): string {
  // Beside the case store in $CORDON_HOME: owner-only like everything there.
  writePrivateFile(path, `${JSON.stringify(estateFileOf(estate), null, 2)}\n`);
  return path;
}

/**
 * The accounts, subscriptions and tenants an estate file describes: in a tabletop where nothing is
 * configured, these (and the findings' own) are the only ones Cordon may act in (DESIGN.md §4).
 */
export function estateScope(file: EstateFile | undefined): { accounts: string[]; subscriptions: string[]; tenants: string[] } {
  const accounts = file?.aws?.account ? [file.aws.account] : [];
  const azureText = file?.azure ? JSON.stringify(file.azure) : '';
  const subscriptions = [...new Set([...azureText.matchAll(/\/subscriptions\/([^/"]+)/gi)].map((m) => (m[1] as string).toLowerCase()))];
  const tenants = [...new Set([...azureText.matchAll(/"tenantId":"([^"]+)"/g)].map((m) => m[1] as string))];
  return { accounts, subscriptions, tenants };
}
