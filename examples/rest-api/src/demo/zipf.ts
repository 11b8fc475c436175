// A Zipf-like pick among 1..n: rank k comes up in proportion to 1 / k^s, so a few keys are
// hot and a long tail is cold, as the keys of a real service are.
export class Zipf {
  readonly #cdf: Float64Array;

  constructor(
    readonly n: number,
    s = 1,
    private readonly random: () => number = Math.random,
  ) {
    this.#cdf = new Float64Array(n);
    let total = 0;
    for (let k = 1; k <= n; k++) {
      total += 1 / k ** s;
      this.#cdf[k - 1] = total;
    }
    for (let i = 0; i < n; i++) this.#cdf[i]! /= total;
  }

  /** A rank from 1 to n. */
  next(): number {
    const u = this.random();
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  }
}
