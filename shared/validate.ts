import type { z } from 'zod';
import { appError, type Result } from './errors';
import { inputs, type OperationName, type ParsedInputs } from './contract';

/** The rules a window words in any language from the rule and its facts (renderer/i18n/words.ts). */
export const fieldRules = [
  'too_long',
  'too_short',
  'too_big',
  'too_small',
  'positive',
  'whole_number',
  'not_an_option',
  'invisible_character',
  'mixed_alphabets',
  'control_characters',
  'unsafe_port',
] as const;
export type FieldRule = (typeof fieldRules)[number];

export interface FieldIssue {
  /** Dotted path of the field, e.g. "name" or "addStoreIds.3". Empty for the whole input. */
  field: string;
  /** In English; a window in another language words `rule`, `limit` and `data` instead. */
  message: string;
  /** The rule broken, when a window can word it in any language; for a length or size rule, `limit` is its limit. */
  rule?: FieldRule;
  limit?: number;
  /** The facts of the rule: the character and its position, the word and its alphabets (ISO 15924 codes), the port. */
  data?: Record<string, string | number>;
}

const isFieldRule = (value: unknown): value is FieldRule => (fieldRules as readonly unknown[]).includes(value);

/** The rule an issue broke, when it is one a window can word in any language. */
function ruleOf(issue: z.core.$ZodIssue): Pick<FieldIssue, 'rule' | 'limit' | 'data'> {
  if (issue.code === 'too_big' && typeof issue.maximum === 'number') {
    return { rule: issue.origin === 'string' ? 'too_long' : 'too_big', limit: issue.maximum };
  }
  if (issue.code === 'too_small' && typeof issue.minimum === 'number') {
    // `.positive()`: more than 0, not "at least 0".
    if (issue.origin === 'number' && issue.minimum === 0 && issue.inclusive === false) return { rule: 'positive' };
    return { rule: issue.origin === 'string' ? 'too_short' : 'too_small', limit: issue.minimum };
  }
  if (issue.code === 'invalid_type' && issue.expected === 'int') return { rule: 'whole_number' };
  if (issue.code === 'invalid_value') return { rule: 'not_an_option' };
  if (issue.code === 'custom' && issue.params) {
    const { rule, ...data } = issue.params as Record<string, unknown>;
    if (!isFieldRule(rule)) return {};
    const facts = Object.fromEntries(Object.entries(data).filter(([, v]) => typeof v === 'string' || typeof v === 'number')) as Record<
      string,
      string | number
    >;
    return Object.keys(facts).length > 0 ? { rule, data: facts } : { rule };
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
