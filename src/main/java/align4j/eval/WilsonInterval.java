package align4j.eval;

import align4j.InputException;

/**
 * The Wilson score interval of a proportion (Wilson 1927): for p̂ = k/n and the normal quantile z,
 * (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n). Unlike p̂ ± z·√(p̂(1−p̂)/n) it stays inside [0, 1] and does
 * not collapse to a point at p̂ = 0 or 1. A win rate with ties counted half is used as p̂ over its n judgements, which
 * is slightly conservative (a tie's outcome 1/2 varies less than a Bernoulli one).
 */
public record WilsonInterval(double low, double high) {
    /** z of a two-sided interval at the given confidence (0.95 → 1.959964), by bisection on the normal CDF. */
    public static double z(double confidence) {
        if (!(confidence > 0 && confidence < 1)) throw new InputException("confidence must be in (0, 1), got " + confidence);
        double target = 0.5 + confidence / 2, lo = 0, hi = 40;
        for (int i = 0; i < 200; i++) {
            double mid = (lo + hi) / 2;
            if (normalCdf(mid) < target) lo = mid;
            else hi = mid;
        }
        return (lo + hi) / 2;
    }

    /** The interval of proportion p over n observations; [0, 1] when n is 0. */
    public static WilsonInterval of(double p, double n, double z) {
        if (!(n > 0)) return new WilsonInterval(0, 1);
        double z2 = z * z, denom = 1 + z2 / n, centre = (p + z2 / (2 * n)) / denom;
        double half = z / denom * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        return new WilsonInterval(Math.max(0, centre - half), Math.min(1, centre + half));
    }

    /** Φ(x) = erfc(−x/√2)/2. */
    static double normalCdf(double x) {
        return 0.5 * erfc(-x / Math.sqrt(2));
    }

    /** erfc by the Chebyshev fit of Numerical Recipes (3rd ed., §6.2.2, {@code erfccheb}), accurate to about 1e-15. */
    private static double erfc(double x) {
        if (x < 0) return 2 - erfc(-x);
        double t = 2 / (2 + x), ty = 4 * t - 2, d = 0, dd = 0;
        for (int j = COF.length - 1; j > 0; j--) {
            double tmp = d;
            d = ty * d - dd + COF[j];
            dd = tmp;
        }
        return t * Math.exp(-x * x + 0.5 * (COF[0] + ty * d) - dd);
    }

    private static final double[] COF = {-1.3026537197817094, 6.4196979235649026e-1, 1.9476473204185836e-2, -9.561514786808631e-3,
            -9.46595344482036e-4, 3.66839497852761e-4, 4.2523324806907e-5, -2.0278578112534e-5, -1.624290004647e-6, 1.303655835580e-6,
            1.5626441722e-8, -8.5238095915e-8, 6.529054439e-9, 5.059343495e-9, -9.91364156e-10, -2.27365122e-10, 9.6467911e-11,
            2.394038e-12, -6.886027e-12, 8.94487e-13, 3.13092e-13, -1.12708e-13, 3.81e-16, 7.106e-15, -1.523e-15, -9.4e-17, 1.21e-16,
            -2.8e-17};
}
