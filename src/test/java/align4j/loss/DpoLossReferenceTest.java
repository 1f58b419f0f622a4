package align4j.loss;

import static align4j.loss.Reference.assertRelClose;
import static align4j.loss.Reference.doubles;
import static align4j.loss.Reference.ints;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every loss type against PyTorch autograd over TRL's formulas (scripts/loss_reference.py), to 1e-6 relative. */
class DpoLossReferenceTest {
    private static final double REL = 1e-6;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : Reference.root().get("dpo").get("cases")) {
            out.add(Arguments.of(c.get("loss_type").asText() + " β=" + c.get("beta").asDouble() + " ε="
                    + c.get("label_smoothing").asDouble() + (c.get("reference_free").asBoolean() ? " reference_free" : "")
                    + (c.get("rpo_alpha").asDouble() > 0 ? " rpo_alpha=" + c.get("rpo_alpha").asDouble() : ""), c));
        }
        return out.stream();
    }

    static DpoLoss.Inputs inputs(boolean referenceFree) {
        JsonNode in = Reference.root().get("dpo").get("inputs");
        return new DpoLoss.Inputs(doubles(in.get("policy_chosen")), doubles(in.get("policy_rejected")),
                referenceFree ? null : doubles(in.get("ref_chosen")), referenceFree ? null : doubles(in.get("ref_rejected")),
                ints(in.get("chosen_lengths")), ints(in.get("rejected_lengths")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void lossGradientsAndMetricsMatchPyTorch(String label, JsonNode c) {
        DpoLoss loss = new DpoLoss(LossType.parse(c.get("loss_type").asText()), c.get("beta").asDouble(),
                c.get("label_smoothing").asDouble(), c.get("reference_free").asBoolean(), c.get("rpo_alpha").asDouble(),
                c.get("discopop_tau").asDouble());
        DpoLoss.Result r = loss.compute(inputs(c.get("reference_free").asBoolean()));
        assertRelClose(c.get("loss").asDouble(), r.loss(), REL, "loss");
        assertRelClose(doubles(c.get("losses")), r.losses(), REL, "losses");
        assertRelClose(doubles(c.get("d_chosen")), r.dChosen(), REL, "dL/dlogp chosen");
        assertRelClose(doubles(c.get("d_rejected")), r.dRejected(), REL, "dL/dlogp rejected");
        Map<String, Double> got = r.metrics().toMap("");
        JsonNode expected = c.get("metrics");
        assertEquals(expected.size(), got.size(), "metric names " + got.keySet());
        expected.fieldNames().forEachRemaining(k ->
                assertRelClose(expected.get(k).asDouble(), got.get(k), REL, k));
    }

    @Test
    void referenceCoversEveryLossType() {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (JsonNode c : Reference.root().get("dpo").get("cases")) seen.add(c.get("loss_type").asText());
        java.util.Set<String> all = new java.util.HashSet<>(LossType.names());
        all.remove("sft"); // a term of its own, checked alone and in mixes by DpoHeadReferenceTest
        assertEquals(all, seen);
    }
}
