/** Hostile YAML made by code. */

/** Nine levels of nine aliases: 9^9 (387 million) values when expanded. The first alias is at 2:10. */
export function billionLaughs(): string {
  const lines = ['l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i <= 9; i++) lines.push(`l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(', ')}]`);
  return lines.join('\n') + '\n';
}
