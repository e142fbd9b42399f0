import * as z from 'zod';

/**
 * The attacker model of the simulated estate (DESIGN §8): footholds an attacker holds, listed in
 * the estate file or derived from a finding, judged by the rules the real clouds apply.
 *
 * How a cloud plugs in: a `CloudRules` module owns the kinds it can judge for its cloud. After
 * every call the estate serves, `AttackerModel.observe` asks the owning module to re-judge each
 * open foothold against the live state; the first call after which a foothold is unusable is
 * what closed it. Judging is stateful where the cloud is: an AWS flow that became untracked
 * before its permitting rules went away is dropped, a tracked one survives (the module keeps that
 * in `Foothold.state`). At the verdict, `settle` lets the cloud do what it does on its own (an
 * Auto Scaling group replacing an unhealthy instance) and name the evidence that puts at risk.
 * Azure's module judges NSG flow re-evaluation (`flushConnection`), Entra `accountEnabled` and
 * `signInSessionsValidFromDateTime`, and storage keys the same way.
 */

export const FOOTHOLD_KINDS = ['connection', 'role-credentials', 'instance-metadata', 'user-credentials', 'console-password', 'refresh-token', 'public-read', 'storage-key'] as const;
export type FootholdKind = (typeof FOOTHOLD_KINDS)[number];

/** Paths AWS tracks automatically: a flow through them stays tracked even under allow-all rules. */
export const AUTO_TRACKED_PATHS = ['nat-gateway', 'network-load-balancer', 'gateway-load-balancer', 'transit-gateway', 'global-accelerator', 'network-firewall', 'egress-only-internet-gateway', 'vpc-endpoint'] as const;

const When = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO-8601 date-time');

/** The `footholds:` entries of an estate file; `id` is derived when omitted. */
export const FootholdSeedSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('connection'),
    id: z.string().min(1).optional(),
    /** `i-…` (AWS) or a VM's ARM id (Azure). */
    instance: z.string().min(1),
    /** The interface the flow uses (default the primary). */
    networkInterface: z.string().min(1).optional(),
    region: z.string().min(1).optional(),
    remote: z.string().min(1),
    protocol: z.enum(['tcp', 'udp', 'icmp']).default('tcp'),
    /** Local port of an inbound flow, remote port of an outbound one. */
    port: z.number().int().min(0).max(65535).optional(),
    direction: z.enum(['inbound', 'outbound']).default('outbound'),
    via: z.enum([...AUTO_TRACKED_PATHS, 'internet-gateway', 'application-load-balancer']).default('internet-gateway'),
  }),
  z.object({
    kind: z.literal('role-credentials'),
    id: z.string().min(1).optional(),
    role: z.string().min(1),
    accessKey: z.string().min(1).optional(),
    issuedAt: When.optional(),
    /** The instance whose profile issued them (`ec2:SourceInstanceARN`). */
    instance: z.string().regex(/^i-/).optional(),
    region: z.string().min(1).optional(),
  }),
  z.object({ kind: z.literal('instance-metadata'), id: z.string().min(1).optional(), instance: z.string().regex(/^i-/), region: z.string().min(1).optional() }),
  z.object({
    kind: z.literal('user-credentials'),
    id: z.string().min(1).optional(),
    user: z.string().min(1),
    /** AKIA… (an access key) or ASIA… (temporary credentials from GetSessionToken). */
    accessKey: z.string().min(1),
    issuedAt: When.optional(),
  }),
  z.object({ kind: z.literal('console-password'), id: z.string().min(1).optional(), user: z.string().min(1), cloud: z.enum(['aws', 'azure']).optional() }),
  z.object({
    kind: z.literal('refresh-token'),
    id: z.string().min(1).optional(),
    user: z.string().min(1),
    issuedAt: When.optional(),
    /** The last access token the attacker minted with it (default `issuedAt`: the last use the evidence shows). */
    accessTokenIssuedAt: When.optional(),
    /** Entra gives access tokens a random 60–90 minute lifetime by default: the worst case is the default. */
    accessTokenLifetimeMinutes: z.number().int().min(5).max(1440).default(90),
    /** Whether the resources the attacker reaches enforce Continuous Access Evaluation on that token. */
    cae: z.boolean().default(false),
  }),
  z.object({
    kind: z.literal('public-read'),
    id: z.string().min(1).optional(),
    /** An S3 bucket name, or a storage account's ARM id. */
    bucket: z.string().min(1),
    /** How the bucket is public: a bucket policy or an ACL grant. */
    via: z.enum(['policy', 'acl']).default('policy'),
  }),
  z.object({ kind: z.literal('storage-key'), id: z.string().min(1).optional(), account: z.string().min(1), via: z.enum(['key', 'sas']).default('key') }),
]);
export type FootholdSeed = z.input<typeof FootholdSeedSchema>;
export type FootholdSpec = z.output<typeof FootholdSeedSchema>;

export interface Foothold {
  kind: FootholdKind;
  id: string;
  cloud: 'aws' | 'azure';
  spec: FootholdSpec;
  /** Ownership keys (`instance:REGION/i-…`, `role:NAME`, `user:NAME`, `key:AKIA…`, `bucket:NAME`, `arm:/subscriptions/…`): an incident owns the footholds on its resources. */
  on: string[];
  origin: 'estate-file' | 'finding';
  open: boolean;
  /** The action (or the cloud's own behaviour) that closed it. */
  closedBy?: string;
  /** The call after which it was closed (`ec2:ModifyNetworkInterfaceAttribute`). */
  closedByCall?: string;
  closedAt?: string;
  /** While open: what would close it, by the cloud's rule. */
  until: string;
  /** Rule-owned state (an AWS flow's tracking). */
  state: Record<string, string | boolean | number>;
}

export interface EvidenceAtRisk {
  kind: 'instance' | 'volume' | 'vm' | 'disk';
  id: string;
  reason: string;
  /** Ownership key of the resource (see Foothold.on). */
  on: string;
}

/** What a served call tells the model: which operation, for which step (`incident/action:target`). */
export interface ServedCall {
  operation: string;
  step: string;
  status: number;
  fault?: string;
}

export type Judgement = { open: true; until: string } | { open: false; why: string };

/** One cloud's rules (see the module comment). */
export interface CloudRules {
  readonly cloud: 'aws' | 'azure';
  readonly kinds: readonly FootholdKind[];
  /** Whether this module judges a spec (AWS and Azure share `console-password`, `public-read`, `connection`). */
  owns(spec: FootholdSpec): boolean;
  /** The foothold's identity and ownership keys. */
  describe(spec: FootholdSpec): { id: string; on: string[] };
  /** Sets the rule-owned state a foothold starts with (an AWS flow is tracked or not under its current rules). */
  prime(f: Foothold): void;
  /** Whether the attacker can still use it, against the live state. */
  judge(f: Foothold, now: Date): Judgement;
  /** What the cloud does on its own by verdict time (may close footholds); the evidence it puts at risk. */
  settle(footholds: readonly Foothold[], now: Date): EvidenceAtRisk[];
}

export interface FootholdVerdict {
  kind: FootholdKind;
  id: string;
  open: boolean;
  closedBy?: string;
  /** What would close it (open footholds only). */
  until?: string;
}

export interface EvictionVerdict {
  footholds: FootholdVerdict[];
  open: number;
  evidenceAtRisk: { kind: string; id: string; reason: string }[];
}

/** `incident/action:target` → `action`. */
function actionOfStep(step: string): string | undefined {
  const slash = step.indexOf('/');
  if (slash < 0) return undefined;
  const stepId = step.slice(slash + 1);
  const colon = stepId.indexOf(':');
  return colon > 0 ? stepId.slice(0, colon) : undefined;
}

export class AttackerModel {
  readonly footholds: Foothold[] = [];

  constructor(
    private readonly rules: readonly CloudRules[],
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Adds a foothold unless one with the same id is held; returns it, or undefined when no cloud module judges it. */
  add(input: FootholdSeed | FootholdSpec, origin: Foothold['origin']): Foothold | undefined {
    const spec = FootholdSeedSchema.parse(input);
    const rules = this.rules.find((r) => r.owns(spec));
    if (!rules) return undefined;
    const { id, on } = rules.describe(spec);
    const existing = this.footholds.find((f) => f.id === (spec.id ?? id));
    if (existing) return existing;
    const f: Foothold = { kind: spec.kind, id: spec.id ?? id, cloud: rules.cloud, spec, on, origin, open: true, until: '', state: {} };
    rules.prime(f);
    const first = rules.judge(f, this.now());
    if (first.open) f.until = first.until;
    else Object.assign(f, { open: false, closedBy: `already closed in the estate (${first.why})` });
    this.footholds.push(f);
    return f;
  }

  /** Re-judges every open foothold after a call the estate served. */
  observe(call: ServedCall): void {
    if (call.fault !== undefined || call.status >= 300) return;
    const now = this.now();
    for (const f of this.footholds) {
      if (!f.open) continue;
      const verdict = this.rulesFor(f).judge(f, now);
      if (verdict.open) {
        f.until = verdict.until;
        continue;
      }
      f.open = false;
      f.closedBy = actionOfStep(call.step) ?? call.operation;
      f.closedByCall = call.operation;
      f.closedAt = now.toISOString();
      f.until = verdict.why;
    }
  }

  /** The eviction verdict for the footholds on these resources (ownership keys), after the clouds settle. */
  verdict(on: ReadonlySet<string>): EvictionVerdict {
    const now = this.now();
    const atRisk: EvidenceAtRisk[] = [];
    for (const rules of this.rules) {
      for (const risk of rules.settle(this.footholds.filter((f) => f.cloud === rules.cloud), now)) {
        if (!atRisk.some((r) => r.kind === risk.kind && r.id === risk.id)) atRisk.push(risk);
      }
    }
    const mine = this.footholds.filter((f) => f.on.some((k) => on.has(k)));
    return {
      footholds: mine.map((f) => ({ kind: f.kind, id: f.id, open: f.open, ...(f.closedBy !== undefined ? { closedBy: f.closedBy } : {}), ...(f.open ? { until: f.until } : {}) })),
      open: mine.filter((f) => f.open).length,
      evidenceAtRisk: atRisk.filter((r) => on.has(r.on)).map(({ kind, id, reason }) => ({ kind, id, reason })),
    };
  }

  private rulesFor(f: Foothold): CloudRules {
    return this.rules.find((r) => r.owns(f.spec)) as CloudRules;
  }
}
