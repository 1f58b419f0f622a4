package align4j.loss;

import static align4j.loss.Reference.assertRelClose;
import static align4j.loss.Reference.doubles;
import static align4j.loss.Reference.ints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import align4j.InputException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ORPO and CPO/SimPO against PyTorch autograd over TRL's formulas on per-token log-probs
 * (scripts/orpo_cpo_reference.py → src/test/resources/loss/orpo_cpo_reference.json), to 1e-9 relative: loss,
 * per-pair losses, the gradient of each sequence's log-prob, and every metric TRL logs with its name.
 */
class OrpoCpoReferenceTest {
    private static final double REL = 1e-9;
    private static JsonNode root;

    static synchronized JsonNode root() {
        if (root == null) {
            try (InputStream in = OrpoCpoReferenceTest.class.getResourceAsStream("/loss/orpo_cpo_reference.json")) {
                if (in == null) fail("missing test resource /loss/orpo_cpo_reference.json");
                root = new ObjectMapper().readTree(in);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return root;
    }

    static PolicyPairLoss.Inputs inputs(boolean withPrompt) {
        JsonNode in = root().get("inputs");
        return new PolicyPairLoss.Inputs(doubles(in.get("policy_chosen")), doubles(in.get("policy_rejected")),
                ints(in.get("chosen_lengths")), ints(in.get("rejected_lengths")),
                withPrompt ? doubles(in.get("prompt_logps")) : null, withPrompt ? ints(in.get("prompt_tokens")) : null);
    }

    static Stream<Arguments> orpoCases() {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : root().get("orpo")) out.add(Arguments.of("β=" + c.get("beta").asDouble(), c));
        return out.stream();
    }

    static Stream<Arguments> cpoCases() {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : root().get("cpo")) {
            out.add(Arguments.of(c.get("loss_type").asText() + " β=" + c.get("beta").asDouble() + " ε=" + c.get("label_smoothing").asDouble()
                    + " γ=" + c.get("simpo_gamma").asDouble() + " α=" + c.get("cpo_alpha").asDouble(), c));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "orpo {0}")
    @MethodSource("orpoCases")
    void orpoMatchesPyTorch(String label, JsonNode c) {
        PolicyPairLoss.Result r = new OrpoLoss(c.get("beta").asDouble()).compute(inputs(true));
        check(c, r);
        assertRelClose(doubles(c.get("d_prompt")), r.dPrompt(), REL, "dL/dlogp prompt");
    }

    @ParameterizedTest(name = "cpo {0}")
    @MethodSource("cpoCases")
    void cpoMatchesPyTorch(String label, JsonNode c) {
        CpoLoss loss = new CpoLoss(CpoLoss.Type.parse(c.get("loss_type").asText()), c.get("beta").asDouble(),
                c.get("label_smoothing").asDouble(), c.get("simpo_gamma").asDouble(), c.get("cpo_alpha").asDouble());
        check(c, loss.compute(inputs(false)));
    }

    private static void check(JsonNode c, PolicyPairLoss.Result r) {
        assertRelClose(c.get("loss").asDouble(), r.loss(), REL, "loss");
        assertRelClose(doubles(c.get("losses")), r.losses(), REL, "losses");
        assertRelClose(doubles(c.get("d_chosen")), r.dChosen(), REL, "dL/dlogp chosen");
        assertRelClose(doubles(c.get("d_rejected")), r.dRejected(), REL, "dL/dlogp rejected");
        Map<String, Double> got = r.metrics();
        JsonNode expected = c.get("metrics");
        List<String> names = new ArrayList<>();
        expected.fieldNames().forEachRemaining(names::add);
        assertEquals(new java.util.TreeSet<>(names), new java.util.TreeSet<>(got.keySet()), "metric names");
        for (String k : names) assertRelClose(expected.get(k).asDouble(), got.get(k), REL, k);
    }

    @Test
    void referenceCoversEveryCpoLossType() {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (JsonNode c : root().get("cpo")) seen.add(c.get("loss_type").asText());
        java.util.Set<String> all = new java.util.HashSet<>();
        for (CpoLoss.Type t : CpoLoss.Type.values()) all.add(t.toString());
        assertEquals(all, seen);
    }

    /** log(1 − e^x) keeps its digits near x = 0, where 1 − e^x cancels, and far below, where e^x underflows toward 0. */
    @Test
    void log1mexpIsAccurateOnBothSides() {
        assertRelClose(Math.log(1e-12 - 0.5e-24), OrpoLoss.log1mexp(-1e-12), 1e-12, "x = −1e−12");
        assertRelClose(-Math.exp(-40), OrpoLoss.log1mexp(-40), 1e-12, "x = −40");
        assertRelClose(Math.log(1 - Math.exp(-0.7)), OrpoLoss.log1mexp(-0.7), 1e-14, "x = −0.7");
    }

    @Test
    void badSettingsAreInputErrorsNamedAsTrl() {
        assertThrows(InputException.class, () -> CpoLoss.Type.parse("dpo"));
        var e = assertThrows(InputException.class, () -> new CpoLoss(CpoLoss.Type.SIMPO, 0.1, 0, 0.5, -1));
        assertEquals("cpo_alpha must be ≥ 0, got -1.0", e.getMessage());
        assertThrows(InputException.class, () -> new CpoLoss(CpoLoss.Type.SIGMOID, 0, 0, 0.5, 1));
        assertThrows(InputException.class, () -> new OrpoLoss(-0.1));
    }
}
