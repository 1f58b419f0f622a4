package align4j.train;

import static org.junit.jupiter.api.Assertions.*;

import align4j.data.Pairs;
import align4j.loss.CpoLoss;
import align4j.loss.OrpoLoss;
import align4j.loss.PolicyPairLoss;
import align4j.model.Batch;
import align4j.model.BatchBuilder;
import align4j.model.ModelConfig;
import align4j.model.ModelGradCheck;
import align4j.model.TinyModels;
import align4j.model.Transformer;
import align4j.tensor.Tensor;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ORPO and CPO/SimPO through a tiny model: the packed forward against sequences run one at a time, and the whole
 * objective's parameter gradient against central finite differences of its loss.
 */
class PolicyPairTaskTest {
    static Transformer model(String family) {
        ObjectNode json = family.equals("gpt2") ? TinyModels.gpt2().put("vocab_size", 29) : TinyModels.llama().put("vocab_size", 31);
        ModelConfig cfg = TinyModels.config(json, family);
        return new Transformer(cfg, TinyModels.randomWeights(cfg, 3, 0.2));
    }

    /** Four pairs, one of them with an empty prompt (its first completion token is not scored). */
    static Pairs pairs(int vocab) {
        SplittableRandom r = new SplittableRandom(5);
        int[][] shape = {{3, 4, 2}, {0, 5, 3}, {5, 2, 6}, {1, 3, 3}};
        int n = shape.length;
        int[][] p = new int[n][], c = new int[n][], rj = new int[n][];
        for (int i = 0; i < n; i++) {
            p[i] = r.ints(shape[i][0], 0, vocab).toArray();
            c[i] = r.ints(shape[i][1], 0, vocab).toArray();
            rj[i] = r.ints(shape[i][2], 0, vocab).toArray();
        }
        return new Pairs(p, c, rj, new String[n]);
    }

    /** Σ log p over the scored tokens of one sequence run alone (scored from position firstScored on). */
    static double[] alone(Transformer m, int[] prompt, int[] completion) {
        BatchBuilder b = new BatchBuilder();
        b.addSequence(prompt, completion);
        Batch batch = b.build();
        double s = 0;
        for (float lp : m.logps(batch, false).logp()) s += lp;
        return new double[] {s, batch.targets().size()};
    }

    /**
     * ORPO's NLL covers the prompt (TRL: "computed over the full prompt and response"): nll_loss must be the token
     * mean of −log p over every token after the first of each prompt+chosen sequence run alone, and the averaged
     * log-probs those of the completions run alone.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void orpoNllCoversPromptAndChosenAsTrlDoes(String family) {
        Transformer m = model(family);
        Pairs p = pairs(m.cfg.vocabSize());
        PolicyPairTask task = new PolicyPairTask(m, new OrpoLoss(0.1), p, null, 8);
        var metrics = task.evaluate(p, 8).means("");
        double nllSum = 0, nllTokens = 0, avgW = 0, avgL = 0;
        for (int i = 0; i < p.size(); i++) {
            int[] all = concat(p.prompts()[i], p.chosen()[i]);
            double[] seq = alone(m, new int[0], all);
            nllSum -= seq[0];
            nllTokens += seq[1];
            double[] w = alone(m, p.prompts()[i], p.chosen()[i]), l = alone(m, p.prompts()[i], p.rejected()[i]);
            avgW += w[0] / w[1] / p.size();
            avgL += l[0] / l[1] / p.size();
        }
        assertEquals(nllSum / nllTokens, metrics.get("nll_loss"), 1e-5);
        assertEquals(avgW, metrics.get("logps/chosen"), 1e-5);
        assertEquals(avgL, metrics.get("logps/rejected"), 1e-5);
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @ParameterizedTest
    @CsvSource({"gpt2,orpo", "llama,orpo", "gpt2,simpo", "llama,sigmoid", "gpt2,ipo"})
    void objectiveGradientMatchesFiniteDifferencesOfTheLoss(String family, String kind) {
        Transformer m = model(family);
        Pairs p = pairs(m.cfg.vocabSize());
        PolicyPairLoss loss = kind.equals("orpo") ? new OrpoLoss(0.5)
                : new CpoLoss(CpoLoss.Type.parse(kind), kind.equals("ipo") ? 2.0 : 1.0, 0.1, 0.5, 0.7);
        PolicyPairTask task = new PolicyPairTask(m, loss, p, null, 8);
        for (Tensor t : m.parameters()) t.zeroGrad();
        task.train(new int[] {0, 1, 2, 3}, 0.5); // gradScale 0.5: half the gradient
        SplittableRandom r = new SplittableRandom(2);
        for (Tensor t : m.parameters()) {
            ModelGradCheck.Direction dir = ModelGradCheck.Direction.random(r, t);
            double rms = 0;
            for (float x : t.data) rms += (double) x * x;
            double h = 0.02 * Math.max(Math.sqrt(rms / t.size()), 0.05);
            // Richardson extrapolation (4·D(h/2) − D(h))/3 cancels the h² term of central differences
            double numeric = (4 * central(task, p, t, dir.u(), h / 2) - central(task, p, t, dir.u(), h)) / 3;
            assertEquals(0.5 * numeric, dir.analytic(), 0.02 * Math.abs(numeric) + 2e-4, family + " " + kind + " " + t.name);
        }
    }

    static double central(PolicyPairTask task, Pairs p, Tensor t, double[] u, double h) {
        float[] saved = t.data.clone();
        double[] f = new double[2];
        for (int s = 0; s < 2; s++) {
            for (int i = 0; i < u.length; i++) t.data[i] = (float) (saved[i] + (s == 0 ? h : -h) * u[i]);
            f[s] = task.evaluate(p, 8).mean("loss");
        }
        System.arraycopy(saved, 0, t.data, 0, saved.length);
        return (f[0] - f[1]) / (2 * h);
    }
}
