package align4j.loss;

import static align4j.loss.Reference.assertRelClose;
import static align4j.loss.Reference.doubles;
import static align4j.loss.Reference.ints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * TRL HEAD's options on top of the loss types, against PyTorch autograd over TRL's formulas
 * (scripts/loss_reference.py, "dpo_head"): loss_type lists with loss_weights (MPO, the sft term),
 * f_divergence_type, LD-DPO's ld_alpha and WPO's pair weights. The reference differentiates per token, so the
 * check covers how a sequence's gradient reaches its tokens: weight 1 on the first min(|y_w|, |y_l|)
 * completion tokens and ld_alpha on the rest for the DPO part, 1 everywhere for the sft term's NLL.
 */
class DpoHeadReferenceTest {
    private static final double REL = 1e-6;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : Reference.root().get("dpo_head").get("cases")) {
            String label = c.get("loss_types") + " w=" + c.get("loss_weights") + " f=" + c.get("f_divergence_type").asText()
                    + (c.get("f_divergence_type").asText().equals("alpha_divergence") ? "(" + c.get("f_alpha").asDouble() + ")" : "")
                    + (c.get("ld_alpha").isNull() ? "" : " ld_alpha=" + c.get("ld_alpha").asDouble())
                    + (c.get("pair_weights").isNull() ? "" : " WPO") + " β=" + c.get("beta").asDouble();
            out.add(Arguments.of(label, c));
        }
        return out.stream();
    }

    static DpoLoss loss(JsonNode c) {
        List<LossType> types = new ArrayList<>();
        for (JsonNode t : c.get("loss_types")) types.add(LossType.parse(t.asText()));
        return new DpoLoss(DpoLoss.terms(types, doubles(c.get("loss_weights")), 0.0), c.get("beta").asDouble(),
                c.get("label_smoothing").asDouble(), false, c.get("discopop_tau").asDouble(),
                FDivergence.parse(c.get("f_divergence_type").asText()), c.get("f_alpha").asDouble(),
                !c.get("pair_weights").isNull());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void lossTokenGradientsAndMetricsMatchPyTorch(String label, JsonNode c) {
        JsonNode root = Reference.root().get("dpo_head");
        int[] cn = ints(root.get("chosen_lengths")), rn = ints(root.get("rejected_lengths"));
        boolean ld = !c.get("ld_alpha").isNull();
        double alpha = ld ? c.get("ld_alpha").asDouble() : 1.0;
        DpoLoss.Inputs in = new DpoLoss.Inputs(doubles(c.get("policy_chosen")), doubles(c.get("policy_rejected")),
                doubles(c.get("ref_chosen")), doubles(c.get("ref_rejected")), cn, rn,
                ld ? doubles(c.get("chosen_plain")) : null,
                c.get("pair_weights").isNull() ? null : doubles(c.get("pair_weights")));
        DpoLoss.Result r = loss(c).compute(in);
        assertRelClose(c.get("loss").asDouble(), r.loss(), REL, "loss");
        assertRelClose(doubles(c.get("losses")), r.losses(), REL, "losses");
        for (int i = 0; i < cn.length; i++) {
            int shared = Math.min(cn[i], rn[i]);
            double[] gc = doubles(c.get("token_grads_chosen").get(i)), gr = doubles(c.get("token_grads_rejected").get(i));
            for (int t = 0; t < cn[i]; t++) {
                double w = t < shared ? 1.0 : alpha;
                assertRelClose(gc[t], w * r.dChosen()[i] + r.dChosenPlain()[i], REL, "chosen " + i + " token " + t);
            }
            for (int t = 0; t < rn[i]; t++) {
                double w = t < shared ? 1.0 : alpha;
                assertRelClose(gr[t], w * r.dRejected()[i], REL, "rejected " + i + " token " + t);
            }
        }
        Map<String, Double> got = r.metrics().toMap("");
        JsonNode expected = c.get("metrics");
        assertEquals(expected.size(), got.size(), "metric names " + got.keySet());
        expected.fieldNames().forEachRemaining(k -> assertRelClose(expected.get(k).asDouble(), got.get(k), REL, k));
    }

    @Test
    void rpoAlphaIsTheSftTerm() {
        DpoLoss.Inputs in = DpoLossReferenceTest.inputs(false);
        DpoLoss.Result rpo = new DpoLoss(LossType.SIGMOID, 0.1, 0, false, 0.4, DpoLoss.DEFAULT_DISCOPOP_TAU).compute(in);
        DpoLoss.Result mix = new DpoLoss(DpoLoss.terms(List.of(LossType.SIGMOID, LossType.SFT), new double[] {1, 0.4}, 0),
                0.1, 0, false, DpoLoss.DEFAULT_DISCOPOP_TAU, FDivergence.REVERSE_KL, FDivergence.DEFAULT_ALPHA, false).compute(in);
        assertRelClose(rpo.loss(), mix.loss(), 1e-14, "loss");
        assertRelClose(rpo.dChosen(), mix.dChosen(), 1e-14, "dChosen");
        assertEquals(rpo.metrics().nllLoss(), mix.metrics().nllLoss());
    }

    @Test
    void refusesWhatTrlRefuses() {
        assertThrows(IllegalArgumentException.class, () -> new DpoLoss(List.of(new DpoLoss.Term(LossType.AOT, 1)), 0.1, 0,
                false, 0.05, FDivergence.REVERSE_KL, 0.5, true));
        assertThrows(IllegalArgumentException.class, () -> DpoLoss.terms(List.of(LossType.SIGMOID, LossType.SFT), new double[] {1}, 0));
        assertThrows(IllegalArgumentException.class, () -> FDivergence.parse("kl"));
        DpoLoss wpo = new DpoLoss(List.of(new DpoLoss.Term(LossType.SIGMOID, 1)), 0.1, 0, false, 0.05, FDivergence.REVERSE_KL, 0.5, true);
        assertThrows(IllegalArgumentException.class, () -> wpo.compute(DpoLossReferenceTest.inputs(false)));
    }

    @Test
    void referenceCoversEveryDivergenceAndLossType() {
        java.util.Set<String> f = new java.util.HashSet<>(), t = new java.util.HashSet<>();
        for (JsonNode c : Reference.root().get("dpo_head").get("cases")) {
            f.add(c.get("f_divergence_type").asText());
            c.get("loss_types").forEach(x -> t.add(x.asText()));
        }
        assertEquals(4, f.size(), f.toString());
        java.util.Set<String> all = new java.util.HashSet<>(LossType.names());
        all.remove("sigmoid_norm"); // not in HEAD's _compute_loss; its f-divergence path is the sigmoid's
        assertEquals(all, t);
    }
}
