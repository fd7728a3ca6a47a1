// "Did you mean" for misspelt names: the closest known name by edit distance, when it is close enough to be
// the likely intent rather than a different word.

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours each cost
// one, so `glance_db_pasword` and `glacne_db_password` are both one step from `glance_db_password`.
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

// The known name nearest to `name`, or undefined when none is within a quarter of its length (at least 1,
// at most 3 edits): a suggestion further away would more often mislead than help. A name cut short
// (`keystone_admin_pass`) matches the shortest known name it begins, as the weakest acceptable match.
export function closestName(name: string, known: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 4)));
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    // Case slips (Glance_Url) count as one edit in all, not one per letter.
    let distance = Math.min(editDistance(name, candidate), name.toLowerCase() === candidate ? 1 : Infinity);
    // Ranked after every real near miss; among prefixes, the shorter name first.
    if (distance > limit && name.length >= 6 && candidate.startsWith(name)) distance = limit + 1 - 1 / candidate.length;
    if (distance < limit + 1 && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}
