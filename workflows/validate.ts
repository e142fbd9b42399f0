import { createRequire } from 'node:module';
import type { StateMachine } from './asl.js';

/** asl-validator ships no type declarations; this is the part of its API Cordon uses. */
type AslValidator = (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };

const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

export interface AslValidation {
  valid: boolean;
  errors: string;
}

/** Validates a definition with asl-validator (JSONPaths and ARNs checked). */
export function validateAsl(machine: StateMachine): AslValidation {
  // The validator writes defaults (QueryLanguage) into what it is given: hand it a copy.
  const { isValid, errorsText } = aslValidator(structuredClone(machine), { checkPaths: true, checkArn: true });
  return { valid: isValid, errors: isValid ? '' : errorsText('\n') };
}
