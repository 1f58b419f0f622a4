package align4j.theory;

/**
 * A contextual bandit for the theory tests: prompts x with weights ν(x), a handful of responses y
 * each, a reference policy π_ref(y|x) and a reward table r(x, y). Policies are tables
 * {@code double[prompt][response]}; tabular softmax policies are logits of the same shape.
 * All arithmetic is double.
 */
final class Bandit {
    final double[] promptWeight;
    final double[][] ref;
    final double[][] reward;

    Bandit(double[] promptWeight, double[][] ref, double[][] reward) {
        this.promptWeight = promptWeight;
        this.ref = ref;
        this.reward = reward;
    }

    /** Three prompts with four, five and six responses; rewards in [−1, 1.5], one argmax per prompt. */
    static Bandit example() {
        double[] nu = {0.5, 0.3, 0.2};
        double[][] ref = {
                softmax(new double[] {0.2, -0.5, 0.9, 0.0}),
                softmax(new double[] {-0.3, 0.4, 0.1, -0.8, 0.6}),
                softmax(new double[] {0.0, 0.5, -0.4, 0.3, -0.2, 0.7}),
        };
        double[][] reward = {
                {1.0, -0.5, 0.2, 0.6},
                {-1.0, 0.3, 1.5, 0.0, 0.8},
                {0.4, -0.2, 0.9, 0.1, -1.0, 0.5},
        };
        return new Bandit(nu, ref, reward);
    }

    int prompts() {
        return ref.length;
    }

    /**
     * The maximiser of E_x[E_π r − β·KL(π‖π_ref)]: π*(y|x) = π_ref(y|x)·exp(r(x, y)/β)/Z(x)
     * (docs/references.md#kl-regularised-optimum), computed in log space so that
     * tiny and huge β do not overflow.
     */
    double[][] optimum(double beta) {
        double[][] out = new double[prompts()][];
        for (int x = 0; x < prompts(); x++) {
            double[] logits = new double[ref[x].length];
            for (int y = 0; y < logits.length; y++) logits[y] = Math.log(ref[x][y]) + reward[x][y] / beta;
            out[x] = softmax(logits);
        }
        return out;
    }

    /** log Z(x) = log Σ_y π_ref(y|x)·exp(r(x, y)/β). */
    double logPartition(int x, double beta) {
        double[] t = new double[ref[x].length];
        for (int y = 0; y < t.length; y++) t[y] = Math.log(ref[x][y]) + reward[x][y] / beta;
        return logSumExp(t);
    }

    /** J(π) = Σ_x ν(x)·[Σ_y π(y|x)·r(x, y) − β·KL(π(·|x)‖π_ref(·|x))]. */
    double objective(double[][] pi, double beta) {
        double j = 0;
        for (int x = 0; x < prompts(); x++) {
            double er = 0;
            for (int y = 0; y < pi[x].length; y++) er += pi[x][y] * reward[x][y];
            j += promptWeight[x] * (er - beta * kl(pi[x], ref[x]));
        }
        return j;
    }

    /** Σ_x ν(x)·KL(p(·|x)‖q(·|x)). */
    double meanKl(double[][] p, double[][] q) {
        double s = 0;
        for (int x = 0; x < prompts(); x++) s += promptWeight[x] * kl(p[x], q[x]);
        return s;
    }

    /** The policy of tabular softmax logits θ(x, ·). */
    static double[][] policy(double[][] logits) {
        double[][] out = new double[logits.length][];
        for (int x = 0; x < logits.length; x++) out[x] = softmax(logits[x]);
        return out;
    }

    /** Logits log π_ref: the usual start of fine-tuning, π_θ = π_ref. */
    double[][] referenceLogits() {
        double[][] out = new double[prompts()][];
        for (int x = 0; x < prompts(); x++) {
            out[x] = new double[ref[x].length];
            for (int y = 0; y < out[x].length; y++) out[x][y] = Math.log(ref[x][y]);
        }
        return out;
    }

    static double kl(double[] p, double[] q) {
        double s = 0;
        for (int i = 0; i < p.length; i++) if (p[i] > 0) s += p[i] * Math.log(p[i] / q[i]);
        return s;
    }

    static double[] softmax(double[] logits) {
        double lse = logSumExp(logits);
        double[] out = new double[logits.length];
        for (int i = 0; i < out.length; i++) out[i] = Math.exp(logits[i] - lse);
        return out;
    }

    static double logSumExp(double[] v) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : v) max = Math.max(max, x);
        double s = 0;
        for (double x : v) s += Math.exp(x - max);
        return max + Math.log(s);
    }

    static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
