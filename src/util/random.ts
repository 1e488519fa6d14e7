/**
 * Seeded random numbers. Every shuffle, sample, dropout mask and initialisation in Sheaf draws
 * from an `Rng`, so a run with a seed is repeatable. The generator is xoshiro128** seeded
 * through splitmix32; it is fast, has a 2^128 period and passes BigCrush.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = (): number => {
      // splitmix32 spreads a small integer seed over the whole state.
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
    return result;
  }

  /** Uniform in [0, 1) with 53 bits of precision. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [low, high). */
  uniformRange(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n > 0)) throw new RangeError(`Rng.int: n must be positive, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller, caching the second value). */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return mean + std * v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** Shuffle an array in place (Fisher–Yates) and return it. */
  shuffle<T>(a: T[] | Int32Array | Float32Array | Uint32Array): typeof a {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
    return a;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    this.shuffle(p);
    return p;
  }

  /**
   * `k` indices drawn from 0..n-1, with or without replacement (as numpy's
   * `random.choice(n, k, replace)`).
   */
  choice(n: number, k: number, replace: boolean): Int32Array {
    const out = new Int32Array(k);
    if (replace) {
      for (let i = 0; i < k; i++) out[i] = this.int(n);
      return out;
    }
    if (k > n) throw new RangeError(`Rng.choice: cannot draw ${k} of ${n} without replacement`);
    // Partial Fisher–Yates over a sparse map so large n costs O(k).
    const swapped = new Map<number, number>();
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      const vj = swapped.get(j) ?? j;
      const vi = swapped.get(i) ?? i;
      swapped.set(j, vi);
      out[i] = vj;
    }
    return out;
  }

  /** Fill a Float32Array with uniform values in [low, high). */
  uniformArray(size: number, low: number, high: number): Float32Array {
    const a = new Float32Array(size);
    for (let i = 0; i < size; i++) a[i] = low + (high - low) * this.uniform();
    return a;
  }

  /** Fill a Float32Array with normal values. */
  normalArray(size: number, mean = 0, std = 1): Float32Array {
    const a = new Float32Array(size);
    for (let i = 0; i < size; i++) a[i] = this.normal(mean, std);
    return a;
  }

  /**
   * A seed for a tfjs random op (e.g. a dropout mask drawn with `tf.randomUniform`), taken from
   * this generator so the mask is repeatable yet drawn by the backend, not a JS loop.
   */
  tfSeed(): number {
    return this.nextUint32() % 2147483647;
  }

  /** A new independent generator derived from this one. */
  fork(): Rng {
    return new Rng(this.nextUint32());
  }

  /**
   * Serialisable state, for checkpoints: the four state words, plus the cached second normal
   * value when there is one (so a resumed run draws exactly what an uninterrupted one would).
   */
  getState(): number[] {
    const words = [this.s0, this.s1, this.s2, this.s3];
    return this.spareNormal === null ? words : [...words, this.spareNormal];
  }

  /** Restore a state saved by `getState`. */
  setState(s: number[]): void {
    if (s.length !== 4 && s.length !== 5) throw new Error('Rng.setState expects 4 or 5 numbers');
    [this.s0, this.s1, this.s2, this.s3] = s.slice(0, 4).map((v) => v >>> 0) as [number, number, number, number];
    this.spareNormal = s.length === 5 ? s[4]! : null;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
