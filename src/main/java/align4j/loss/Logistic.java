package align4j.loss;

/** The logistic function and its logarithm, stable for any finite argument. */
public final class Logistic {
    private Logistic() {}

    /** σ(x) = 1/(1+e^{−x}), evaluated on the side where the exponential cannot overflow. */
    public static double sigmoid(double x) {
        if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    /** softplus(x) = log(1+e^x) = max(x,0) + log1p(e^{−|x|}). */
    public static double softplus(double x) {
        return Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /** log σ(x) = −softplus(−x). */
    public static double logSigmoid(double x) {
        return -softplus(-x);
    }
}
