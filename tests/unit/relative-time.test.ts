import { expect, test } from 'vitest';
import { relative, relativeStableForMs } from '../../web/views/components.tsx';

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);

test('relativeStableForMs says exactly how long relative() keeps its words, at every scale', () => {
  const ages = [0, 1, 499, 500, 30_000, 59_499, 59_500, 60_000, 89_499, 89_500, 125_321, 3_569_499, 3_569_500, 3_600_000, 5_399_000, 7_000_000, 86_000_000, 86_400_000, 1_000_000_000, 2_500_000_000, 2_591_000_000, 2_592_000_000, 5_000_000_000];
  for (let i = 0; i < 300; i++) ages.push(Math.floor(((i * 7919) % 1000) / 1000 * 2_700_000_000) + i);
  for (const age of ages) {
    const at = new Date(NOW - age);
    const words = relative(at, NOW);
    const stable = relativeStableForMs(at, NOW);
    if (stable === Infinity) {
      expect(relative(at, NOW + 365 * 86_400_000)).toBe(words);
      continue;
    }
    expect(stable).toBeGreaterThanOrEqual(0);
    // Still the same words just before, different words from the moment it says.
    if (stable >= 1) expect(relative(at, NOW + stable - 1)).toBe(words);
    expect(relative(at, NOW + stable)).not.toBe(words);
  }
});
