/** The key two names share when they differ only by case (or by Unicode form): "Waikato" = "WAIKATO". */
export function nameKey(name: string): string {
  return name.trim().normalize('NFKC').toLowerCase();
}
