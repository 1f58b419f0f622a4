package align4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import align4j.loss.KlEstimators;
import align4j.model.ModelConfig;
import align4j.model.ScalarHead;
import align4j.model.Transformer;
import align4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The PPO minibatch loss (policy term + vf_coef·value term) through the real Transformer, its
 * temperature-scaled LM head and the value head on the shared backbone: for every parameter tensor,
 * the gradient backward accumulates, projected on a random direction, equals the central finite
 * difference of the loss the same code returns (Richardson-extrapolated, as TransformerGradientTest).
 * Old log-probs and old values sit near the current ones, inside the clip ranges, where the loss is smooth.
 */
class PpoGradientTest {

    @ParameterizedTest
    @ValueSource(strings = {"clip", "klpen", "klpen-ref"})
    void minibatchLossGradientMatchesFiniteDifferences(String variant) {
        ModelConfig cfg = RlFixtures.config();
        Transformer m = RlFixtures.trainable(cfg, RlFixtures.weights(cfg, 3, 0.3));
        ScalarHead vh = RlFixtures.valueHead(cfg.hidden(), 5);
        RolloutLogps policy = new RolloutLogps(m, vh, 0.7);
        Rollouts r = RlFixtures.rollouts(3, 1, cfg.vocabSize(), 9);
        RolloutLogps.Scored s0 = policy.score(r);
        int n = r.completionTokens();
        SplittableRandom rnd = new SplittableRandom(13);
        float[] old = new float[n], oldV = new float[n], ref = new float[n], adv = new float[n], ret = new float[n];
        for (int t = 0; t < n; t++) {
            old[t] = (float) (s0.logp()[t] + 0.05 * rnd.nextGaussian());
            oldV[t] = (float) (s0.values()[t] + 0.05 * rnd.nextGaussian());
            ref[t] = (float) (s0.logp()[t] + 0.3 * rnd.nextGaussian());
            adv[t] = (float) rnd.nextGaussian();
            ret[t] = (float) (s0.values()[t] + rnd.nextGaussian());
        }
        PpoConfig pc = PpoConfig.defaults().withNumPpoEpochs(1).withVfCoef(0.5).withKlEstimator(KlEstimators.Estimator.K3)
                .withResponseLength(8).withPolicyLoss(variant.equals("clip") ? PpoConfig.PolicyLoss.CLIP : PpoConfig.PolicyLoss.KLPEN)
                .withKlpenBeta(0.3).withKlpenToReference(variant.equals("klpen-ref"));
        PpoTrainer ppo = new PpoTrainer(policy, null, null, null, pc, 0, 1);
        List<Tensor> params = new ArrayList<>(policy.parameters());
        for (Tensor t : params) t.zeroGrad();
        ppo.minibatchLoss(r, old, oldV, ref, adv, ret, 1.0);
        List<float[]> grads = new ArrayList<>();
        for (Tensor t : params) grads.add(t.grad.clone());

        for (int k = 0; k < params.size(); k++) {
            Tensor t = params.get(k);
            double[] u = new double[t.size()];
            double analytic = 0, unorm = 0, rms = 0;
            for (int i = 0; i < u.length; i++) {
                u[i] = rnd.nextGaussian();
                analytic += u[i] * grads.get(k)[i];
                unorm += u[i] * u[i];
                rms += (double) t.data[i] * t.data[i];
            }
            rms = Math.sqrt(rms / u.length);
            double h = 5e-3 * Math.max(rms, 0.1) / Math.sqrt(unorm / u.length);
            double numeric = (4 * central(ppo, r, old, oldV, ref, adv, ret, params, t, u, h / 2)
                    - central(ppo, r, old, oldV, ref, adv, ret, params, t, u, h)) / 3;
            double scale = Math.max(1e-2, Math.abs(numeric));
            assertEquals(numeric, analytic, 2e-2 * scale + 2e-3,
                    variant + " " + t.name + ": analytic " + analytic + " vs numeric " + numeric);
        }
    }

    private static double central(PpoTrainer ppo, Rollouts r, float[] old, float[] oldV, float[] ref, float[] adv, float[] ret,
                                  List<Tensor> params, Tensor t, double[] u, double h) {
        float[] saved = t.data.clone();
        for (int i = 0; i < u.length; i++) t.data[i] = (float) (saved[i] + h * u[i]);
        double plus = ppo.minibatchLoss(r, old, oldV, ref, adv, ret, 1.0).loss();
        for (int i = 0; i < u.length; i++) t.data[i] = (float) (saved[i] - h * u[i]);
        double minus = ppo.minibatchLoss(r, old, oldV, ref, adv, ret, 1.0).loss();
        System.arraycopy(saved, 0, t.data, 0, saved.length);
        for (Tensor p : params) p.zeroGrad();
        return (plus - minus) / (2 * h);
    }
}
