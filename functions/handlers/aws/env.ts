import * as z from 'zod';
import { PreservationEnvShape, preservationFromEnv, type PreservationSettings } from '../../core/actions/preservation.js';
import { StateMachineMap, readEnv } from '../../core/env.js';

/**
 * What the Lambdas read from their environment (set by infra/cordon-stack.ts). Validated once
 * per cold start; a missing variable is a deployment error named in full.
 */
export const HandlerEnvSchema = z.object({
  CORDON_CASE_TABLE: z.string().min(1),
  /** The Object Lock audit bucket every audit record is mirrored to. */
  CORDON_AUDIT_BUCKET: z.string().min(1).optional(),
  /** The KMS asymmetric key (ARN) that signs the audit chain; the functions hold kms:Sign on it only. */
  CORDON_AUDIT_KEY: z.string().min(1).optional(),
  CORDON_STATE_MACHINES: StateMachineMap.optional(),
  CORDON_TOPIC_ARN: z.string().startsWith('arn:').optional(),
  /** The EventBridge bus Cordon's lifecycle events go to (core/lifecycle.ts); unset: none are sent. */
  CORDON_EVENT_BUS: z.string().min(1).optional(),
  CORDON_CLOCK_WATCH_ARN: z.string().startsWith('arn:').optional(),
  CORDON_RESPONDER_ROLE: z.string().min(1).optional(),
  CORDON_RESPONDER_EXTERNAL_ID: z.string().min(1).optional(),
  /** The deployment's entity is in NIS2 scope: open-clock also opens the NIS2 clocks. */
  CORDON_NIS2: z.enum(['true', 'false']).optional(),
  /** Where the Lambda keeps its working copy of the audit chain and evidence (default /tmp/cordon). */
  CORDON_HOME: z.string().min(1).optional(),
  /** Snapshot lock and forensic copy (core/actions/preservation.ts): planned into each preservation step. */
  ...PreservationEnvShape,
});
export type HandlerEnv = z.infer<typeof HandlerEnvSchema>;

export class HandlerConfigError extends Error {
  override readonly name = 'HandlerConfigError';
}

export function readHandlerEnv(env: NodeJS.ProcessEnv = process.env): HandlerEnv {
  return readEnv(HandlerEnvSchema, env, (variable, problem) => new HandlerConfigError(`environment ${variable}: ${problem}`));
}

/** A variable one handler cannot work without. */
export function required<K extends keyof HandlerEnv>(env: HandlerEnv, key: K): NonNullable<HandlerEnv[K]> {
  const value = env[key];
  if (value === undefined) throw new HandlerConfigError(`environment ${key}: required by this function`);
  return value as NonNullable<HandlerEnv[K]>;
}

/** The deployment's preservation settings (snapshot lock, forensic copy); a bad combination is a deployment error. */
export function handlerPreservation(env: HandlerEnv): PreservationSettings {
  return preservationFromEnv(env, (variable, problem) => new HandlerConfigError(`environment ${variable}: ${problem}`));
}
