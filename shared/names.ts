/**
 * Names people give and match: site names (also the sync user name), store names and user names.
 * Every transport validates them with the same rule (shared/contract.ts builds its schemas on it,
 * and the services check it again), so a name that looks like another cannot be saved beside it.
 */

/** The key two names share when they differ only by case (or by Unicode form): "Waikato" = "WAIKATO". */
export function nameKey(name: string): string {
  return name.trim().normalize('NFKC').toLowerCase();
}

/** How a name is stored: composed (NFC) and trimmed, so the same letters are always the same bytes. */
export function normaliseName(name: string): string {
  return name.normalize('NFC').trim();
}

/**
 * Characters no name may hold: controls (NUL, tab, CR, LF...), format characters (zero-width
 * spaces and joiners, soft hyphen, bidi marks, embeddings, overrides and isolates, BOM), line and
 * paragraph separators, private-use, surrogate and unassigned code points. They are invisible or
 * reorder what is shown, so "Waikato" and "Waika\u200Bto" would look the same and be two sites.
 */
const invisible = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}\p{Cn}]/u;

const characterNames: Record<number, string> = {
  0x00: 'NUL',
  0x09: 'tab',
  0x0a: 'line feed',
  0x0d: 'carriage return',
  0xad: 'soft hyphen',
  0x200b: 'zero width space',
  0x200c: 'zero width non-joiner',
  0x200d: 'zero width joiner',
  0x200e: 'left-to-right mark',
  0x200f: 'right-to-left mark',
  0x202a: 'left-to-right embedding',
  0x202b: 'right-to-left embedding',
  0x202c: 'pop directional formatting',
  0x202d: 'left-to-right override',
  0x202e: 'right-to-left override',
  0x2028: 'line separator',
  0x2029: 'paragraph separator',
  0x2066: 'left-to-right isolate',
  0x2067: 'right-to-left isolate',
  0x2068: 'first strong isolate',
  0x2069: 'pop directional isolate',
  0xfeff: 'zero width no-break space',
};

function describe(codePoint: number): string {
  const name = characterNames[codePoint];
  return name ? `${hexOf(codePoint)} (${name})` : hexOf(codePoint);
}

/**
 * Scripts whose letters look alike (a Cyrillic "а" and a Latin "a"). One word may use only one of
 * them; different words may (a name in two languages), and other scripts are not limited here.
 */
/** `code`: the script's ISO 15924 code, which a window names in its own language (Intl.DisplayNames). */
const lookAlikeScripts = [
  { name: 'Latin', code: 'Latn', pattern: /\p{Script=Latin}/u },
  { name: 'Cyrillic', code: 'Cyrl', pattern: /\p{Script=Cyrillic}/u },
  { name: 'Greek', code: 'Grek', pattern: /\p{Script=Greek}/u },
  { name: 'Armenian', code: 'Armn', pattern: /\p{Script=Armenian}/u },
  { name: 'Cherokee', code: 'Cher', pattern: /\p{Script=Cherokee}/u },
] as const;

type LookAlikeScript = (typeof lookAlikeScripts)[number];

function mixedWord(name: string): { word: string; scripts: LookAlikeScript[] } | null {
  for (const word of name.split(/[^\p{L}\p{M}]+/u)) {
    const scripts = new Set<LookAlikeScript>();
    for (const char of word) {
      const script = lookAlikeScripts.find((s) => s.pattern.test(char));
      if (script) scripts.add(script);
    }
    if (scripts.size > 1) return { word, scripts: [...scripts] };
  }
  return null;
}

/**
 * A name's problem as the rule it broke and its facts, so a window in another language words it
 * exactly (the English `message` is what travels and what English shows).
 */
export type NameIssue =
  | { message: string; rule: 'invisible_character'; data: { codePoint: string; position: number } }
  | { message: string; rule: 'mixed_alphabets'; data: { word: string; scripts: string } };

const hexOf = (codePoint: number) => `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Why a name cannot be used, in words, or null when it can. `label` starts the sentence ("Site
 * name", "User name", "Store name"). The name is expected normalised (see normaliseName).
 */
export function nameProblem(label: string, name: string): string | null {
  return nameIssue(label, name)?.message ?? null;
}

/** nameProblem with the rule and its facts (the character and where it is; the word and its alphabets). */
export function nameIssue(label: string, name: string): NameIssue | null {
  const chars = [...name];
  const index = chars.findIndex((c) => invisible.test(c));
  if (index >= 0) {
    const codePoint = chars[index]!.codePointAt(0)!;
    return {
      message:
        `${label} cannot contain invisible or control characters: it has ${describe(codePoint)} ` +
        `at position ${index + 1}. Type the name again without it.`,
      rule: 'invisible_character',
      data: { codePoint: hexOf(codePoint), position: index + 1 },
    };
  }
  const mixed = mixedWord(name);
  if (mixed) {
    return {
      message:
        `${label} mixes ${mixed.scripts.map((s) => s.name).join(' and ')} letters in "${mixed.word}": some letters of these alphabets only ` +
        'look alike. Type the word again in one alphabet.',
      rule: 'mixed_alphabets',
      data: { word: mixed.word, scripts: mixed.scripts.map((s) => s.code).join(',') },
    };
  }
  return null;
}

/**
 * Search text: no control characters (a NUL would cut a LIKE pattern short and match everything).
 * Format characters are harmless there and may be pasted, so only controls are refused.
 */
export function searchProblem(text: string): string | null {
  return /\p{Cc}/u.test(text) ? 'Search text cannot contain control characters (such as NUL, tab or line breaks).' : null;
}
