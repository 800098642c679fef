/**
 * The duration model of a learned wait: a lognormal fitted to an app's past processing durations
 * (durations are positive and skewed, and the spread of a nightly job is a share of its length),
 * with its distribution functions. Pure and small, so the check planner, the wait activity and the
 * benchmarks share one model.
 */

/** A summary of an app's or deployment's past processing durations: what enters the history. */
export interface DurationEstimate {
  /** Finished runs the fit is made of. */
  runs: number;
  /** Runs left out as outliers (far longer or shorter than the rest, e.g. a run held in review). */
  outliers: number;
  /** Median duration of the fit, ms (`exp(mu)`). */
  medianMs: number;
  /** Spread: standard deviation of ln(duration), widened for the sample's size (predictive). */
  sigma: number;
  /** Shortest and longest duration among the runs fitted, ms. */
  minMs: number;
  maxMs: number;
}

/** Outliers: log durations further than this many robust standard deviations from the median. */
const OUTLIER_SIGMAS = 4;
/** A floor on the spread, so identical past durations do not plan a single check at one instant. */
const MIN_SIGMA = 0.02;

/** Fits a lognormal to `durationsMs` (positive values); null when none is left. */
export function fitDurations(durationsMs: readonly number[]): DurationEstimate | null {
  const logs = durationsMs.filter((d) => Number.isFinite(d) && d > 0).map((d) => Math.log(d));
  if (logs.length === 0) return null;
  const median = quantileOf(logs, 0.5);
  const mad = quantileOf(
    logs.map((x) => Math.abs(x - median)),
    0.5,
  );
  const robustSigma = Math.max(MIN_SIGMA, 1.4826 * mad);
  const kept = logs.filter((x) => Math.abs(x - median) <= OUTLIER_SIGMAS * robustSigma);
  const n = kept.length;
  const mu = kept.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? kept.reduce((a, x) => a + (x - mu) ** 2, 0) / (n - 1) : 0;
  // The spread of the next run, not of the sample: a fit to few runs is less sure of itself.
  const sigma = Math.max(MIN_SIGMA, Math.sqrt(variance) * Math.sqrt(1 + 1 / n));
  return {
    runs: n,
    outliers: logs.length - n,
    medianMs: Math.exp(mu),
    sigma,
    minMs: Math.exp(Math.min(...kept)),
    maxMs: Math.exp(Math.max(...kept)),
  };
}

/** The `q`-quantile (0..1) of `values` by linear interpolation. */
function quantileOf(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

/** The standard normal distribution function (Abramowitz and Stegun 7.1.26, error below 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** The inverse of {@link normalCdf} (Acklam's rational approximation, refined by one Newton step). */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [
    -39.6968302866538, 220.946098424521, -275.928510446969, 138.357751867269, -30.6647980661472,
    2.50662827745924,
  ];
  const b = [-54.4760987982241, 161.585836858041, -155.698979859887, 66.8013118877197, -13.2806815528857];
  const c = [
    -0.00778489400243029, -0.322396458041136, -2.40075827716184, -2.54973253934373, 4.37466414146497,
    2.93816398269878,
  ];
  const d = [0.00778469570904146, 0.32246712907004, 2.445134137143, 3.75440866190742];
  const low = 0.02425;
  let z: number;
  if (p < low || p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(p < low ? p : 1 - p));
    z =
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
    if (p > 1 - low) z = -z;
  } else {
    const q = p - 0.5;
    const r = q * q;
    z =
      ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
      (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  }
  const e = normalCdf(z) - p;
  return z - e * Math.sqrt(2 * Math.PI) * Math.exp((z * z) / 2);
}

/** The lognormal of an estimate: distribution functions of a run's duration in ms. */
export class Lognormal {
  readonly mu: number;
  readonly sigma: number;

  constructor(estimate: Pick<DurationEstimate, 'medianMs' | 'sigma'>) {
    this.mu = Math.log(estimate.medianMs);
    this.sigma = estimate.sigma;
  }

  /** P(duration ≤ t). */
  cdf(t: number): number {
    return t <= 0 ? 0 : normalCdf((Math.log(t) - this.mu) / this.sigma);
  }

  /** Density at t (per ms). */
  pdf(t: number): number {
    if (t <= 0) return 0;
    const z = (Math.log(t) - this.mu) / this.sigma;
    return Math.exp(-0.5 * z * z) / (t * this.sigma * Math.sqrt(2 * Math.PI));
  }

  /** The duration below which a share `p` of runs finish. */
  quantile(p: number): number {
    return Math.exp(this.mu + this.sigma * normalQuantile(p));
  }

  /** ∫ x f(x) dx over [a, b]: the partial first moment. */
  partialMean(a: number, b: number): number {
    const shift = this.mu + this.sigma * this.sigma;
    return (
      Math.exp(this.mu + (this.sigma * this.sigma) / 2) * (this.shifted(b, shift) - this.shifted(a, shift))
    );
  }

  /** ∫ f(x) / x dx over [a, b]: the partial moment of order −1. */
  partialInverseMean(a: number, b: number): number {
    const shift = this.mu - this.sigma * this.sigma;
    return (
      Math.exp(-this.mu + (this.sigma * this.sigma) / 2) * (this.shifted(b, shift) - this.shifted(a, shift))
    );
  }

  private shifted(t: number, shift: number): number {
    if (t <= 0) return 0;
    if (!Number.isFinite(t)) return 1;
    return normalCdf((Math.log(t) - shift) / this.sigma);
  }
}
