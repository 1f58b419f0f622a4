package align4j.control;

/**
 * Adam (Kingma &amp; Ba 2015, Algorithm 1) on one flat parameter array, with bias correction and
 * β1 = 0.9, β2 = 0.999, ε = 1e-8 (PyTorch's defaults), no weight decay.
 */
final class Adam {
    private static final double BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;
    private final double learningRate;
    private final float[] m, v;
    private int t;

    Adam(int size, double learningRate) {
        this.learningRate = learningRate;
        this.m = new float[size];
        this.v = new float[size];
    }

    /** θ ← θ − lr·m̂/(√v̂ + ε), descending on {@code grad}. */
    void step(float[] params, float[] grad) {
        t++;
        double c1 = 1 - Math.pow(BETA1, t), c2 = 1 - Math.pow(BETA2, t);
        for (int i = 0; i < params.length; i++) {
            float g = grad[i];
            m[i] = (float) (BETA1 * m[i] + (1 - BETA1) * g);
            v[i] = (float) (BETA2 * v[i] + (1 - BETA2) * g * g);
            params[i] -= (float) (learningRate * (m[i] / c1) / (Math.sqrt(v[i] / c2) + EPS));
        }
    }
}
