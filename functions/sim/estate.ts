import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { InputError } from '../core/errors.js';
import type { Finding } from '../core/model.js';
import { AwsEstateSeedSchema, createAwsEstate, createAwsSimServices, seedFromFinding as awsSeedFromFinding, applyAwsSeed, type AwsEstateState } from './aws/index.js';
import { AzureEstateSeedSchema, addAzureSeed, createAzureEstateState, createAzureSimServices, seedFromFinding as azureSeedFromFinding, type AzureEstateState } from './azure/index.js';
import type { FaultRule } from './faults.js';
import { startSimServer, type RunningSimServer } from './server.js';

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
    /** Milliseconds added to every call of an operation (`ec2:CreateSnapshots: 120`, `*: 5`). */
    latency: z.record(z.string(), z.number().int().min(0).max(60_000)).optional(),
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
    const issue = parsed.error.issues[0];
    throw new InputError(path, (issue?.path ?? []).map(String).join('.'), issue?.message ?? 'invalid estate');
  }
  return (value ?? {}) as EstateFile;
}

export interface SimulatedEstate {
  url: string;
  aws: AwsEstateState;
  azure: AzureEstateState;
  server: RunningSimServer;
  close(): Promise<void>;
}

export interface EstateOptions {
  file?: EstateFile;
  /** Findings whose resources must exist; the estate file's resources win where both name one. */
  findings?: readonly Finding[];
  faults?: readonly FaultRule[];
  latency?: Readonly<Record<string, number>>;
}

export async function startSimulatedEstate(options: EstateOptions): Promise<SimulatedEstate> {
  const findings = options.findings ?? [];
  const aws = createAwsEstate(...(options.file?.aws ? [options.file.aws] : []));
  const azure = createAzureEstateState(options.file?.azure);
  for (const finding of findings) {
    if (finding.cloud === 'aws') applyAwsSeed(aws, awsSeedFromFinding(finding));
    else addAzureSeed(azure, azureSeedFromFinding(finding));
  }
  const server = await startSimServer({
    services: [...createAwsSimServices(aws), ...createAzureSimServices(azure)],
    faults: options.faults ?? [],
    latency: { ...(options.file?.latency ?? {}), ...(options.latency ?? {}) },
  });
  return { url: server.url, aws, azure, server, close: () => server.close() };
}
