/** Reading what a central server answered, whatever it was. */

/** The parsed JSON, or undefined when the text is not JSON (a proxy's error page, say). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Text from the central shown to a person: one line, bounded. */
export function shown(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 300 ? `${oneLine.slice(0, 297)}...` : oneLine;
}
