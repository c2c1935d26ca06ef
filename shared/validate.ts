import type { z } from 'zod';
import { appError, type Result } from './errors';
import { inputs, type OperationName, type ParsedInputs } from './contract';

export interface FieldIssue {
  /** Dotted path of the field, e.g. "name" or "addStoreIds.3". Empty for the whole input. */
  field: string;
  /** In English; a window in another language words `rule` and `limit` instead. */
  message: string;
  /** For a length or size rule: which one ("too_long", "too_short", "too_big", "too_small") and its limit. */
  rule?: 'too_long' | 'too_short' | 'too_big' | 'too_small';
  limit?: number;
}

/** The rule an issue broke, when it is a limit a window can word in any language. */
function ruleOf(issue: z.core.$ZodIssue): Pick<FieldIssue, 'rule' | 'limit'> {
  if (issue.code === 'too_big' && typeof issue.maximum === 'number') {
    return { rule: issue.origin === 'string' ? 'too_long' : 'too_big', limit: issue.maximum };
  }
  if (issue.code === 'too_small' && typeof issue.minimum === 'number') {
    return { rule: issue.origin === 'string' ? 'too_short' : 'too_small', limit: issue.minimum };
  }
  return {};
}

export function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: issue.path.map(String).join('.'),
    message: issue.message,
    ...ruleOf(issue),
  }));
}

/**
 * The contract's validation_failed error for a zod failure. The message names the first problem in
 * words; `data` lists every field issue so a window can mark each field.
 */
export function validationFailure(error: z.ZodError): Result<never> {
  const issues = issuesOf(error);
  const first = issues[0];
  const message = first ? (first.field ? `${first.field}: ${first.message}` : first.message) : undefined;
  return { ok: false, error: appError('validation_failed', message, { issues }) };
}

/** Validates one operation's input with its contract schema. */
export function validateInput<K extends OperationName>(operation: K, raw: unknown): Result<ParsedInputs[K]> {
  const parsed = inputs[operation].safeParse(raw ?? {});
  return parsed.success ? { ok: true, value: parsed.data as ParsedInputs[K] } : validationFailure(parsed.error);
}
