package align4j.eval;

import align4j.InputException;

/**
 * The length-controlled win rate (AlpacaEval 2's idea, Dubois et al. 2024): a judge that likes long answers rewards a
 * policy for being long. Regress each judgement y ∈ [0, 1] (1 the policy won, ½ a tie, 0 it lost) on the standardised
 * length difference x = (len_policy − len_baseline)/sd(len_policy − len_baseline) and an intercept,
 * P(win) = σ(b₀ + b₁·x), and report σ(b₀): the predicted win rate had the two completions the same length.
 * (AlpacaEval 2 also uses the instruction and the model as terms and tanh of x; here only the length term.) The
 * difference is divided by its standard deviation and not centred, so x = 0 still means equal lengths; when every
 * difference is the same the root mean square is used, and x = 0 when all lengths are equal.
 *
 * <p>Fit by Newton's method on the (penalised) log-likelihood Σ y·log p + (1−y)·log(1−p) − λ/2·b₁², with step halving
 * so each step increases it. λ (0 by default) only matters when the judgement is perfectly separated by length, where
 * the unpenalised slope grows without bound; the fit then stops at its iteration cap and reports not converged.
 */
public final class LengthControlledWinRate {
    private LengthControlledWinRate() {}

    /** The fit: intercept b₀, slope b₁ per standard deviation, the scale used, iterations, whether the step became tiny. */
    public record Fit(double intercept, double slope, double scale, int iterations, boolean converged) {
        /** σ(b₀): the win rate at zero length difference. */
        public double winRate() {
            return sigmoid(intercept);
        }
    }

    /** Fits judgements y (each in [0, 1]) against raw length differences (policy − baseline). */
    public static Fit fit(double[] y, double[] lengthDiff, double ridge) {
        if (y.length != lengthDiff.length) throw new IllegalArgumentException(y.length + " judgements for " + lengthDiff.length + " lengths");
        if (y.length == 0) throw new InputException("no judgements to fit the length-controlled win rate");
        if (!(ridge >= 0)) throw new InputException("ridge must be ≥ 0, got " + ridge);
        int n = y.length;
        double mean = 0, sq = 0;
        for (double d : lengthDiff) mean += d / n;
        for (double d : lengthDiff) sq += (d - mean) * (d - mean);
        double scale = Math.sqrt(sq / Math.max(1, n - 1));
        if (!(scale > 0)) {
            double rms = 0;
            for (double d : lengthDiff) rms += d * d / n;
            scale = Math.sqrt(rms);
        }
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            if (!(y[i] >= 0 && y[i] <= 1)) throw new IllegalArgumentException("judgement " + i + " is " + y[i] + ", not in [0, 1]");
            x[i] = scale > 0 ? lengthDiff[i] / scale : 0;
        }
        double[] b = fitStandardised(y, x, ridge);
        return new Fit(b[0], b[1], scale, (int) b[2], b[3] > 0);
    }

    /** Newton's method on standardised x: {b₀, b₁, iterations, converged (1 or 0)}. */
    static double[] fitStandardised(double[] y, double[] x, double ridge) {
        double b0 = 0, b1 = 0, ll = logLik(y, x, b0, b1, ridge);
        boolean slopeFree = true;
        for (double v : x) slopeFree &= v == 0;
        int it = 0;
        boolean converged = false;
        while (it < MAX_ITERATIONS && !converged) {
            it++;
            double g0 = 0, g1 = -ridge * b1, h00 = 0, h01 = 0, h11 = ridge;
            for (int i = 0; i < y.length; i++) {
                // y − σ(z) and σ(z)(1 − σ(z)) written so neither rounds to 0 while σ(z) rounds to 1
                double z = b0 + b1 * x[i], e = Math.exp(-Math.abs(z)), w = e / ((1 + e) * (1 + e));
                double r = y[i] * sigmoid(-z) - (1 - y[i]) * sigmoid(z);
                g0 += r;
                g1 += r * x[i];
                h00 += w;
                h01 += w * x[i];
                h11 += w * x[i] * x[i];
            }
            double d0, d1;
            if (slopeFree) {
                d0 = h00 > 0 ? g0 / h00 : 0;
                d1 = 0;
            } else {
                double det = h00 * h11 - h01 * h01;
                if (!(det > 1e-300)) break; // every p at 0 or 1: nothing left to gain
                d0 = (h11 * g0 - h01 * g1) / det;
                d1 = (h00 * g1 - h01 * g0) / det;
            }
            double t = 1, next = logLik(y, x, b0 + d0, b1 + d1, ridge);
            while (next < ll && t > 1e-10) {
                t /= 2;
                next = logLik(y, x, b0 + t * d0, b1 + t * d1, ridge);
            }
            b0 += t * d0;
            b1 += t * d1;
            ll = next;
            converged = Math.abs(t * d0) < 1e-10 && Math.abs(t * d1) < 1e-10;
        }
        return new double[] {b0, b1, it, converged ? 1 : 0};
    }

    static final int MAX_ITERATIONS = 100;

    private static double logLik(double[] y, double[] x, double b0, double b1, double ridge) {
        double s = -ridge / 2 * b1 * b1;
        for (int i = 0; i < y.length; i++) {
            double z = b0 + b1 * x[i];
            // log σ(z) = −softplus(−z), log(1 − σ(z)) = −softplus(z)
            s -= y[i] * softplus(-z) + (1 - y[i]) * softplus(z);
        }
        return s;
    }

    private static double softplus(double z) {
        return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    }

    static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }
}
