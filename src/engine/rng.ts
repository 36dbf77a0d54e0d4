/**
 * Seeded randomness for everything the kernel decides by chance.
 *
 * Why: `statistic --mode random`, MASQUERADE --random-fully ports, trace ids and IP ids must be
 * reproducible from `--seed N`, so that a session runs the same way twice and a trace can be pinned in a test.
 * xoshiro128** — small, fast, well distributed, and its whole state is four numbers (cloneable).
 */
export interface Rng {
  /** Uniform unsigned 32-bit integer, like the kernel's get_random_u32(). */
  u32(): number;
  clone(): Rng;
}

export function createRng(seed: number): Rng {
  // splitmix32 expands the seed into the generator state
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  return fromState([next(), next(), next(), next()]);
}

function fromState(init: number[]): Rng {
  const st = Uint32Array.from(init);
  const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
  return {
    u32() {
      let [a, b, c, d] = [st[0]!, st[1]!, st[2]!, st[3]!];
      const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
      const t = (b << 9) >>> 0;
      c = (c ^ a) >>> 0;
      d = (d ^ b) >>> 0;
      b = (b ^ c) >>> 0;
      a = (a ^ d) >>> 0;
      c = (c ^ t) >>> 0;
      d = rotl(d, 11);
      st[0] = a;
      st[1] = b;
      st[2] = c;
      st[3] = d;
      return result;
    },
    clone() {
      return fromState(Array.from(st));
    },
  };
}
