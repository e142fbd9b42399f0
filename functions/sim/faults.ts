import * as z from 'zod';

/**
 * Fault injection for the simulated estate, DESIGN.md §3:
 * `operation=kind[:n][@k]`, kind throttle | error | accessDenied | latency:MS, `:n` = only n calls,
 * `@k` = starting with the k-th call of the operation (default the first).
 * e.g. `ec2:ModifyInstanceAttribute=throttle:3,ec2:CreateSnapshots=error,ec2:ModifyNetworkInterfaceAttribute=error@2`.
 */
export type FaultKind = 'throttle' | 'error' | 'accessDenied' | 'latency';
/** The kinds that replace the answer (latency only delays it). */
export type FailureKind = Exclude<FaultKind, 'latency'>;

export interface FaultRule {
  operation: string;
  kind: FaultKind;
  /** For latency: milliseconds added. */
  latencyMs?: number;
  /** Only `times` calls are affected; undefined = every call from `from` on. */
  times?: number;
  /** The first call affected (1-based count of the operation's calls); undefined = the first. */
  from?: number;
}

const OPERATION = /^[A-Za-z0-9.-]+:[A-Za-z0-9/._*-]+$|^\*$/;

export class FaultSpecError extends Error {
  override readonly name = 'FaultSpecError';
}

/** Parses the `--faults` value; throws FaultSpecError naming the bad part. */
export function parseFaultSpec(spec: string): FaultRule[] {
  if (spec.trim() === '') return [];
  return spec.split(',').map((part) => {
    const item = part.trim();
    const eq = item.lastIndexOf('=');
    if (eq <= 0) throw new FaultSpecError(`'${item}': expected operation=kind[:n][@k]`);
    const operation = item.slice(0, eq);
    const [spec = '', at, extraAt] = item.slice(eq + 1).split('@');
    if (extraAt !== undefined) throw new FaultSpecError(`'${item}': too many '@' parts`);
    const from = at === undefined ? undefined : Number(at);
    if (at !== undefined && (!Number.isInteger(from) || (from as number) < 1)) throw new FaultSpecError(`'${item}': @k must be a positive whole number (the first call affected)`);
    const starting = from === undefined ? {} : { from };
    const [kind, arg, extra] = spec.split(':');
    if (!OPERATION.test(operation)) throw new FaultSpecError(`'${item}': operation must look like service:Operation`);
    if (extra !== undefined) throw new FaultSpecError(`'${item}': too many ':' parts`);
    const n = arg === undefined ? undefined : Number(arg);
    if (arg !== undefined && (!Number.isInteger(n) || (n as number) < 1)) {
      throw new FaultSpecError(`'${item}': ${kind === 'latency' ? 'milliseconds' : 'n'} must be a positive whole number`);
    }
    switch (kind) {
      case 'throttle':
      case 'error':
      case 'accessDenied':
        return { operation, kind, times: n, ...starting };
      case 'latency':
        if (n === undefined) throw new FaultSpecError(`'${item}': latency needs milliseconds, e.g. latency:200`);
        return { operation, kind, latencyMs: n, ...starting };
      default:
        throw new FaultSpecError(`'${item}': kind must be throttle, error, accessDenied or latency:MS`);
    }
  });
}

export const FaultRuleSchema = z.object({
  operation: z.string().regex(OPERATION),
  kind: z.enum(['throttle', 'error', 'accessDenied', 'latency']),
  latencyMs: z.number().int().min(0).optional(),
  times: z.number().int().min(1).optional(),
  from: z.number().int().min(1).optional(),
});

/** Decides, call by call, which fault applies; counts are per rule. */
export class FaultInjector {
  private readonly used = new Map<FaultRule, number>();
  /** Calls seen per rule, for `@k` (the k-th matching call is the first affected). */
  private readonly seen = new Map<FaultRule, number>();
  constructor(private readonly rules: readonly FaultRule[]) {}

  /** Faults for this call: at most one failure (throttle/error) and any latency. */
  next(operation: string): { failure?: FailureKind; latencyMs: number } {
    let latencyMs = 0;
    let failure: FailureKind | undefined;
    for (const rule of this.rules) {
      if (rule.operation !== operation && rule.operation !== '*') continue;
      const nth = (this.seen.get(rule) ?? 0) + 1;
      this.seen.set(rule, nth);
      if (rule.from !== undefined && nth < rule.from) continue;
      const count = this.used.get(rule) ?? 0;
      if (rule.times !== undefined && count >= rule.times) continue;
      if (rule.kind === 'latency') {
        this.used.set(rule, count + 1);
        latencyMs += rule.latencyMs ?? 0;
      } else if (failure === undefined) {
        this.used.set(rule, count + 1);
        failure = rule.kind;
      }
    }
    return { failure, latencyMs };
  }
}
