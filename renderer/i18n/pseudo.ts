/**
 * The pseudo-locale: every English string accented (Ŝîţè ñåɱè) and lengthened by about 35%, with
 * its {{variables}} and <tags> left whole. A plain English word on a pseudo-locale screen is a string
 * that does not go through the translation function.
 */
const accents: Record<string, string> = {
  a: 'å',
  b: 'ƀ',
  c: 'ç',
  d: 'δ',
  e: 'è',
  f: 'ƒ',
  g: 'ĝ',
  h: 'ĥ',
  i: 'î',
  j: 'ĵ',
  k: 'ķ',
  l: 'ļ',
  m: 'ɱ',
  n: 'ñ',
  o: 'ô',
  p: 'þ',
  q: 'ǫ',
  r: 'ŕ',
  s: 'š',
  t: 'ţ',
  u: 'û',
  v: 'ṽ',
  w: 'ŵ',
  x: 'ẋ',
  y: 'ý',
  z: 'ž',
  A: 'Å',
  B: 'Ɓ',
  C: 'Ç',
  D: 'Ð',
  E: 'É',
  F: 'Ƒ',
  G: 'Ĝ',
  H: 'Ĥ',
  I: 'Î',
  J: 'Ĵ',
  K: 'Ķ',
  L: 'Ļ',
  M: 'Ṁ',
  N: 'Ñ',
  O: 'Ö',
  P: 'Þ',
  Q: 'Ǫ',
  R: 'Ŕ',
  S: 'Š',
  T: 'Ţ',
  U: 'Û',
  V: 'Ṽ',
  W: 'Ŵ',
  X: 'Ẋ',
  Y: 'Ý',
  Z: 'Ž',
};

/** The parts a translation must keep as they are: {{variables}}, $t(nesting) and <0>tags</0>. */
const kept = /(\{\{[^}]*\}\}|\$t\([^)]*\)|<\/?\d+>)/;

export function pseudo(text: string): string {
  const accented = text
    .split(kept)
    .map((part, i) => (i % 2 === 1 ? part : [...part].map((ch) => accents[ch] ?? ch).join('')))
    .join('');
  const letters = text.replace(kept, '').length;
  const padding = '~'.repeat(Math.max(1, Math.round(letters * 0.35)));
  return `[${accented}${padding}]`;
}

type Namespaces = Record<string, Record<string, string>>;

export function pseudoResources(english: Namespaces): Namespaces {
  return Object.fromEntries(
    Object.entries(english).map(([ns, strings]) => [ns, Object.fromEntries(Object.entries(strings).map(([k, v]) => [k, pseudo(v)]))]),
  );
}
