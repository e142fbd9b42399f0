import { parseArgs, type ParseArgsConfig } from 'node:util';
import { userInfo } from 'node:os';
import { UsageError } from '../core/errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** `node:util` parseArgs in strict mode, with its errors turned into one-line usage errors. */
export function parse<O extends Options>(command: string, argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    const message = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(`${command}: ${message} (see 'cordon ${command} --help')`);
  }
}

export function requireString(command: string, name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new UsageError(`${command}: --${name} is required (see 'cordon ${command} --help')`);
  return value;
}

export function positiveNumber(command: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${command}: --${name} must be a positive number, got '${String(value)}'`);
  return n;
}

export function isoDate(command: string, name: string, value: unknown): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(String(value));
  if (Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(String(value))) {
    throw new UsageError(`${command}: --${name} must be an ISO-8601 time such as 2026-11-23T09:30:00Z, got '${String(value)}'`);
  }
  return d;
}

/**
 * Who a person's decision is recorded under: `--by`, else the OS user running the command
 * (`USER`/`USERNAME`, else the account's name), never a made-up "unknown" when the system knows.
 */
export function operatorName(given: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  if (given !== undefined && given.trim() !== '') return given;
  const fromEnv = env.USER ?? env.USERNAME ?? env.LOGNAME;
  if (fromEnv) return fromEnv;
  try {
    return userInfo().username;
  } catch {
    throw new UsageError('give --by NAME: the OS user could not be determined');
  }
}
