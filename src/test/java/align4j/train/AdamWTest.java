package align4j.train;

import static align4j.loss.Reference.floats;
import static org.junit.jupiter.api.Assertions.*;

import align4j.loss.Reference;
import align4j.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** AdamW against torch.optim.AdamW with an HF linear warmup schedule (scripts/loss_reference.py). */
class AdamWTest {
    private static final JsonNode REF = Reference.root().get("adamw");

    private static List<Tensor> tensors(JsonNode values) {
        List<Tensor> out = new ArrayList<>();
        for (JsonNode spec : REF.get("specs")) {
            String name = spec.get("name").asText();
            int[] shape = Reference.ints(spec.get("shape"));
            out.add(new Tensor(name, shape, floats(values.get(name))));
        }
        return out;
    }

    private static void setGrads(List<Tensor> params, int step) {
        JsonNode g = REF.get("grads").get(step);
        for (Tensor t : params) t.grad = g.has(t.name) ? floats(g.get(t.name)) : null;
    }

    private static void assertMatches(JsonNode expected, List<Tensor> params, AdamW opt) {
        for (Tensor t : params) {
            assertFloats(floats(expected.get("params").get(t.name)), t.data, t.name);
            if (!t.isTrainable()) {
                assertNull(opt.state().get(t.name), "frozen tensors have no state");
                continue;
            }
            assertFloats(floats(expected.get("exp_avg").get(t.name)), opt.state().get(t.name).expAvg, t.name + " exp_avg");
            assertFloats(floats(expected.get("exp_avg_sq").get(t.name)), opt.state().get(t.name).expAvgSq, t.name + " exp_avg_sq");
        }
    }

    private static void assertFloats(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-6 * Math.abs(expected[i]) + 1e-9, what + "[" + i + "]");
        }
    }

    private static LrSchedule schedule() {
        return LrSchedule.of("linear", REF.get("learning_rate").asDouble(), 0, REF.get("warmup_ratio").asDouble(),
                REF.get("total_steps").asInt());
    }

    @Test
    void fiveStepsWithWarmupAndDecayGroupsMatchTorch() {
        List<Tensor> params = tensors(REF.get("initial"));
        AdamW opt = new AdamW(params, REF.get("weight_decay").asDouble(), AdamW.HF_DECAY);
        for (JsonNode spec : REF.get("specs")) {
            if (!spec.get("decay").isNull()) {
                assertEquals(spec.get("decay").asBoolean(), opt.decays(spec.get("name").asText()), spec.toString());
            }
        }
        LrSchedule lrs = schedule();
        for (int s = 0; s < REF.get("grads").size(); s++) {
            assertEquals(REF.get("lrs").get(s).asDouble(), lrs.lr(s), 1e-15, "lr of update " + (s + 1));
            setGrads(params, s);
            opt.step(lrs.lr(s));
            if (s == 2) assertMatches(REF.get("after_step_3"), params, opt);
        }
        assertMatches(REF.get("final"), params, opt);
        assertEquals(5, opt.state().get("wte.weight").step());
    }

    @Test
    void restoredStateContinuesToTheSameResult() {
        JsonNode at3 = REF.get("after_step_3");
        List<Tensor> params = tensors(at3.get("params"));
        AdamW opt = new AdamW(params, REF.get("weight_decay").asDouble(), AdamW.HF_DECAY);
        for (Tensor t : params) {
            if (!at3.get("exp_avg").has(t.name)) continue;
            opt.restore(t.name, 3, floats(at3.get("exp_avg").get(t.name)), floats(at3.get("exp_avg_sq").get(t.name)));
        }
        LrSchedule lrs = schedule();
        for (int s = 3; s < 5; s++) {
            setGrads(params, s);
            opt.step(lrs.lr(s));
        }
        assertMatches(REF.get("final"), params, opt);
    }

    @Test
    void firstUpdateMovesEachWeightByLearningRateAgainstTheGradientSign() {
        // step 1: m̂ = g, v̂ = g², so the update is lr·g/(|g| + ε) ≈ lr·sign(g)
        Tensor t = new Tensor("w", new int[] {40}, new float[40]);
        t.grad = new float[40];
        for (int i = 0; i < 40; i++) t.grad[i] = (i % 2 == 0 ? 1 : -1) * (0.01f + i);
        new AdamW(List.of(t), 0.0, AdamW.HF_DECAY).step(0.1);
        for (int i = 0; i < 40; i++) assertEquals(i % 2 == 0 ? -0.1f : 0.1f, t.data[i], 1e-6f, "w[" + i + "]");
    }

    @Test
    void zeroGradientOnlyAppliesDecoupledDecay() {
        Tensor w = new Tensor("h.0.mlp.c_fc.weight", new int[] {3}, new float[] {1, -2, 4});
        Tensor b = new Tensor("h.0.mlp.c_fc.bias", new int[] {3}, new float[] {1, -2, 4});
        w.zeroGrad();
        b.zeroGrad();
        new AdamW(List.of(w, b), 0.5, AdamW.HF_DECAY).step(0.1);
        assertArrayEquals(new float[] {0.95f, -1.9f, 3.8f}, w.data, 1e-7f);
        assertArrayEquals(new float[] {1, -2, 4}, b.data, 0f, "biases are not decayed");
    }

    @Test
    void hfDecayRuleExcludesBiasesAndLayerNormsByName() {
        for (String n : List.of("transformer.h.0.ln_1.weight", "transformer.ln_f.weight", "transformer.h.0.attn.c_attn.bias",
                "model.layers.0.input_layernorm.weight", "model.layers.3.post_attention_layernorm.weight",
                "model.layers.0.self_attn.q_proj.bias", "gpt_neox.final_layer_norm.weight")) {
            assertFalse(AdamW.HF_DECAY.test(n), n);
        }
        for (String n : List.of("transformer.wte.weight", "transformer.h.0.mlp.c_proj.weight", "lm_head.weight",
                "model.layers.0.mlp.down_proj.weight", "model.norm.weight")) {
            assertTrue(AdamW.HF_DECAY.test(n), n);
        }
    }

    @Test
    void restoreRejectsStateOfTheWrongSize() {
        Tensor t = new Tensor("w", 4);
        AdamW opt = new AdamW(List.of(t), 0, AdamW.HF_DECAY);
        assertThrows(IllegalArgumentException.class, () -> opt.restore("w", 1, new float[3], new float[3]));
        assertThrows(IllegalArgumentException.class, () -> opt.restore("nope", 1, new float[4], new float[4]));
    }
}
