import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { InputError } from '../core/errors.js';
import { firstIssue } from '../core/zod-issue.js';
import type { Finding } from '../core/model.js';
import { AwsEstateSeedSchema, createAwsEstate, createAwsSimServices, seedFromFinding as awsSeedFromFinding, applyAwsSeed, type AwsEstateState } from './aws/index.js';
import { AzureEstateSeedSchema, addAzureSeed, createAzureEstateState, createAzureSimServices, seedFromFinding as azureSeedFromFinding, type AzureEstateState } from './azure/index.js';
import type { FaultRule } from './faults.js';
import { startSimServer, type RunningSimServer, type SimRequest, type SimService } from './server.js';
import { Ec2Service } from './aws/ec2.js';
import { signingRegion } from './aws/wire.js';
import { AwsRules } from './attacker/aws.js';
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
  const attacker = new AttackerModel([new AwsRules({ home: aws, regions: awsRegions })]);
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
