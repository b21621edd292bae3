import { SeededRandom } from '../../src/seed';

const draw = (seed: number, n: number) => {
  const random = new SeededRandom(seed);
  return Array.from({ length: n }, () => random.next());
};

describe('seeded random', () => {
  it('when two generators share a seed, then they produce the same sequence', () => {
    expect(draw(42, 50)).toEqual(draw(42, 50));
  });

  it('when seeds differ, then the sequences differ', () => {
    expect(draw(42, 10)).not.toEqual(draw(43, 10));
  });

  it('when drawing many floats, then all lie in [0, 1) and spread over the range', () => {
    const values = draw(1, 10_000);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });

  it('when drawing integers, then both bounds are reachable and nothing falls outside', () => {
    const random = new SeededRandom(9);
    const seen = new Set(Array.from({ length: 500 }, () => random.int(1, 6)));
    expect([...seen].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('when sampling, then the elements are distinct members of the list', () => {
    const random = new SeededRandom(3);
    const picked = random.sample([1, 2, 3, 4, 5, 6, 7, 8], 5);
    expect(new Set(picked).size).toBe(5);
    expect(picked.every((p) => p >= 1 && p <= 8)).toBe(true);
  });

  it('when picking from an empty list, then it throws instead of returning undefined', () => {
    expect(() => new SeededRandom(1).pick([])).toThrow(RangeError);
  });
});
