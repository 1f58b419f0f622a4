package align4j.io;

import align4j.model.ModelConfig;
import align4j.model.ParamNames;
import java.util.ArrayList;
import java.util.List;

/**
 * The correspondence between align4j's canonical parameters and Hugging Face tensor names.
 *
 * <p>Canonical layout (what {@code Transformer} uses; weights [out, in] as nn.Linear):
 * {@code embed [V,C]}, {@code pos_embed [P,C]} (GPT-2), per layer {@code layers.i.attn_norm},
 * {@code qkv [(H+2KV)·D, C]} (rows: q heads, k heads, v heads), {@code out [C, H·D]},
 * {@code mlp_norm}, {@code up [upDim, C]} (GPT-2 c_fc; Llama gate rows then up rows),
 * {@code down [C, I]}, then {@code final_norm} and {@code lm_head [V,C]} when untied.
 *
 * <p>GPT-2's Conv1D stores weights as [in, out] (modeling_gpt2.py / pytorch_utils.Conv1D: y = x·W + b),
 * so c_attn, c_proj and c_fc weights are transposed; Llama, Mistral, Qwen2 and Qwen3 keep separate
 * q/k/v and gate/up projections (modeling_llama.py), which are stacked by rows; Qwen3's
 * {@code self_attn.q_norm}/{@code k_norm} weights [head_dim] are {@code layers.i.q_norm}/{@code k_norm}.
 */
public final class HfNames {
    private HfNames() {}

    /** One HF tensor that supplies consecutive rows of a canonical tensor (all of it when transposed). */
    public record Part(String hfName, int[] hfShape, boolean transposed) {
        public long numel() {
            long n = 1;
            for (int d : hfShape) n *= d;
            return n;
        }
    }

    /** A canonical tensor and the HF tensors it is made of, in row order. */
    public record Mapping(String canonical, int[] shape, List<Part> parts) {}

    /** The prefix a family's checkpoints use when the file does not say otherwise. */
    public static String defaultPrefix(ModelConfig c) {
        return c.family() == ModelConfig.Family.GPT2 ? "" : "model.";
    }

    /** Name of the HF tensor whose presence identifies the prefix style (the token embedding). */
    public static String embedName(ModelConfig c, String prefix) {
        return prefix + (c.family() == ModelConfig.Family.GPT2 ? "wte.weight" : "embed_tokens.weight");
    }

    /**
     * The canonical tensors of a config and their HF names. A sequence classifier
     * ({@link SequenceClassification#isClassifier}) has {@code score.weight [num_labels, C]} instead of an LM head.
     */
    public static List<Mapping> mappings(ModelConfig c, String prefix) {
        List<Mapping> m = c.family() == ModelConfig.Family.GPT2 ? gpt2(c, prefix) : llama(c, prefix);
        if (SequenceClassification.isClassifier(c)) {
            m.removeIf(x -> x.canonical().equals(ParamNames.LM_HEAD));
            m.add(plain(ParamNames.SCORE, "score.weight", SequenceClassification.numLabels(c), c.hidden()));
        }
        return m;
    }

    private static List<Mapping> gpt2(ModelConfig c, String p) {
        int C = c.hidden(), I = c.intermediate();
        List<Mapping> m = new ArrayList<>();
        m.add(plain("embed", p + "wte.weight", c.vocabSize(), C));
        m.add(plain("pos_embed", p + "wpe.weight", c.maxPositions(), C));
        for (int i = 0; i < c.layers(); i++) {
            String l = "layers." + i + ".", h = p + "h." + i + ".";
            m.add(plain(l + "attn_norm.weight", h + "ln_1.weight", C));
            m.add(plain(l + "attn_norm.bias", h + "ln_1.bias", C));
            m.add(conv1d(l + "qkv.weight", h + "attn.c_attn.weight", C, c.qkvDim()));
            m.add(plain(l + "qkv.bias", h + "attn.c_attn.bias", c.qkvDim()));
            m.add(conv1d(l + "out.weight", h + "attn.c_proj.weight", c.heads() * c.headDim(), C));
            m.add(plain(l + "out.bias", h + "attn.c_proj.bias", C));
            m.add(plain(l + "mlp_norm.weight", h + "ln_2.weight", C));
            m.add(plain(l + "mlp_norm.bias", h + "ln_2.bias", C));
            m.add(conv1d(l + "up.weight", h + "mlp.c_fc.weight", C, I));
            m.add(plain(l + "up.bias", h + "mlp.c_fc.bias", I));
            m.add(conv1d(l + "down.weight", h + "mlp.c_proj.weight", I, C));
            m.add(plain(l + "down.bias", h + "mlp.c_proj.bias", C));
        }
        m.add(plain("final_norm.weight", p + "ln_f.weight", C));
        m.add(plain("final_norm.bias", p + "ln_f.bias", C));
        if (!c.tiedEmbeddings()) m.add(plain("lm_head", "lm_head.weight", c.vocabSize(), C));
        return m;
    }

    private static List<Mapping> llama(ModelConfig c, String p) {
        int C = c.hidden(), I = c.intermediate(), D = c.headDim();
        int q = c.heads() * D, kv = c.kvHeads() * D;
        List<Mapping> m = new ArrayList<>();
        m.add(plain("embed", p + "embed_tokens.weight", c.vocabSize(), C));
        for (int i = 0; i < c.layers(); i++) {
            String l = "layers." + i + ".", h = p + "layers." + i + ".";
            m.add(plain(l + "attn_norm.weight", h + "input_layernorm.weight", C));
            m.add(stacked(l + "qkv.weight", C, new Part(h + "self_attn.q_proj.weight", new int[] {q, C}, false),
                    new Part(h + "self_attn.k_proj.weight", new int[] {kv, C}, false),
                    new Part(h + "self_attn.v_proj.weight", new int[] {kv, C}, false)));
            if (c.qkvBias()) {
                m.add(stacked(l + "qkv.bias", 0, new Part(h + "self_attn.q_proj.bias", new int[] {q}, false),
                        new Part(h + "self_attn.k_proj.bias", new int[] {kv}, false),
                        new Part(h + "self_attn.v_proj.bias", new int[] {kv}, false)));
            }
            m.add(plain(l + "out.weight", h + "self_attn.o_proj.weight", C, q));
            if (c.outBias()) m.add(plain(l + "out.bias", h + "self_attn.o_proj.bias", C));
            if (c.qkNorm()) { // Qwen3
                m.add(plain(l + "q_norm.weight", h + "self_attn.q_norm.weight", D));
                m.add(plain(l + "k_norm.weight", h + "self_attn.k_norm.weight", D));
            }
            m.add(plain(l + "mlp_norm.weight", h + "post_attention_layernorm.weight", C));
            m.add(stacked(l + "up.weight", C, new Part(h + "mlp.gate_proj.weight", new int[] {I, C}, false),
                    new Part(h + "mlp.up_proj.weight", new int[] {I, C}, false)));
            if (c.mlpBias()) {
                m.add(stacked(l + "up.bias", 0, new Part(h + "mlp.gate_proj.bias", new int[] {I}, false),
                        new Part(h + "mlp.up_proj.bias", new int[] {I}, false)));
            }
            m.add(plain(l + "down.weight", h + "mlp.down_proj.weight", C, I));
            if (c.mlpBias()) m.add(plain(l + "down.bias", h + "mlp.down_proj.bias", C));
        }
        m.add(plain("final_norm.weight", p + "norm.weight", C));
        if (!c.tiedEmbeddings()) m.add(plain("lm_head", "lm_head.weight", c.vocabSize(), C));
        return m;
    }

    private static Mapping plain(String canonical, String hf, int... shape) {
        return new Mapping(canonical, shape, List.of(new Part(hf, shape, false)));
    }

    /** A Conv1D weight stored [in, out], canonical [out, in]. */
    private static Mapping conv1d(String canonical, String hf, int in, int out) {
        return new Mapping(canonical, new int[] {out, in}, List.of(new Part(hf, new int[] {in, out}, true)));
    }

    /** Parts stacked by rows; cols = 0 marks 1-D (bias) parts. */
    private static Mapping stacked(String canonical, int cols, Part... parts) {
        int rows = 0;
        for (Part part : parts) rows += part.hfShape()[0];
        int[] shape = cols == 0 ? new int[] {rows} : new int[] {rows, cols};
        return new Mapping(canonical, shape, List.of(parts));
    }
}
