/** Names close to a name that is not stored: typos, case and prefix changes (`train` vs `trainModel`). */

/** Up to `limit` of `names` that resemble `name`, closest first. */
export function similarNames(name: string, names: readonly string[], limit = 5): string[] {
  const wanted = name.toLowerCase();
  const scored: { name: string; score: number }[] = [];
  for (const candidate of names) {
    const c = candidate.toLowerCase();
    let score = distance(wanted, c);
    if (c.includes(wanted) || wanted.includes(c)) score = Math.min(score, 1 + Math.abs(c.length - wanted.length) / 10);
    if (score <= Math.max(2, Math.floor(wanted.length / 3))) scored.push({ name: candidate, score });
  }
  return scored
    .sort((a, b) => a.score - b.score || (a.name < b.name ? -1 : 1))
    .slice(0, limit)
    .map((s) => s.name);
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
