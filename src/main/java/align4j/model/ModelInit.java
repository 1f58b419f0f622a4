package align4j.model;

import align4j.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Fresh weights for a config, as Hugging Face initialises them: normal(0, initializer_range = 0.02) for
 * matrices and embeddings, ones for norm gains, zeros for biases; GPT-2's residual projections (attn
 * c_proj, mlp c_proj) get std 0.02/√(2·n_layer) (GPT-2 paper §2.3, HF GPT2PreTrainedModel._init_weights).
 */
public final class ModelInit {
    private ModelInit() {}

    public static Map<String, Tensor> random(ModelConfig cfg, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        boolean gpt2 = cfg.family() == ModelConfig.Family.GPT2;
        int c = cfg.hidden(), hd = cfg.heads() * cfg.headDim();
        double std = 0.02, residualStd = gpt2 ? 0.02 / Math.sqrt(2.0 * cfg.layers()) : 0.02;
        Map<String, Tensor> p = new LinkedHashMap<>();
        normal(p, ParamNames.EMBED, rnd, std, cfg.vocabSize(), c);
        if (gpt2) normal(p, ParamNames.POS_EMBED, rnd, 0.01, cfg.maxPositions(), c);
        for (int l = 0; l < cfg.layers(); l++) {
            ones(p, ParamNames.layer(l, "attn_norm.weight"), c);
            if (gpt2) zeros(p, ParamNames.layer(l, "attn_norm.bias"), c);
            normal(p, ParamNames.layer(l, "qkv.weight"), rnd, std, cfg.qkvDim(), c);
            if (cfg.qkvBias()) zeros(p, ParamNames.layer(l, "qkv.bias"), cfg.qkvDim());
            normal(p, ParamNames.layer(l, "out.weight"), rnd, residualStd, c, hd);
            if (cfg.outBias()) zeros(p, ParamNames.layer(l, "out.bias"), c);
            if (cfg.qkNorm()) {
                ones(p, ParamNames.layer(l, "q_norm.weight"), cfg.headDim());
                ones(p, ParamNames.layer(l, "k_norm.weight"), cfg.headDim());
            }
            ones(p, ParamNames.layer(l, "mlp_norm.weight"), c);
            if (gpt2) zeros(p, ParamNames.layer(l, "mlp_norm.bias"), c);
            normal(p, ParamNames.layer(l, "up.weight"), rnd, std, cfg.upDim(), c);
            if (cfg.mlpBias()) zeros(p, ParamNames.layer(l, "up.bias"), cfg.upDim());
            normal(p, ParamNames.layer(l, "down.weight"), rnd, residualStd, c, cfg.intermediate());
            if (cfg.mlpBias()) zeros(p, ParamNames.layer(l, "down.bias"), c);
        }
        ones(p, ParamNames.FINAL_NORM_W, c);
        if (gpt2) zeros(p, ParamNames.FINAL_NORM_B, c);
        if (!cfg.tiedEmbeddings()) normal(p, ParamNames.LM_HEAD, rnd, std, cfg.vocabSize(), c);
        return p;
    }

    private static void normal(Map<String, Tensor> p, String name, SplittableRandom rnd, double std, int... shape) {
        Tensor t = new Tensor(name, shape);
        for (int i = 0; i < t.data.length; i++) t.data[i] = (float) (rnd.nextGaussian() * std);
        p.put(name, t);
    }

    private static void ones(Map<String, Tensor> p, String name, int n) {
        Tensor t = new Tensor(name, n);
        java.util.Arrays.fill(t.data, 1f);
        p.put(name, t);
    }

    private static void zeros(Map<String, Tensor> p, String name, int n) {
        p.put(name, new Tensor(name, n));
    }
}
