package align4j.loss;

import static align4j.loss.Reference.assertRelClose;
import static align4j.loss.Reference.doubles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import align4j.InputException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * KTO and APO-zero (unpaired) against PyTorch autograd over TRL's {@code kto_loss} and {@code get_batch_loss_metrics}
 * on per-token log-probs (scripts/kto_reference.py → src/test/resources/loss/kto_reference.json), to 1e-9 relative:
 * loss, per-example losses, the gradient of each completion's log-prob, and TRL's per-batch metrics by name, on a
 * batch whose KL estimate is positive and one where it is clamped at 0.
 */
class KtoReferenceTest {
    private static final double REL = 1e-9;
    private static JsonNode root;

    static synchronized JsonNode root() {
        if (root == null) {
            try (InputStream in = KtoReferenceTest.class.getResourceAsStream("/loss/kto_reference.json")) {
                if (in == null) fail("missing test resource /loss/kto_reference.json");
                root = new ObjectMapper().readTree(in);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return root;
    }

    static KtoLoss.Inputs inputs(String batch) {
        JsonNode in = root().get("inputs").get(batch);
        JsonNode l = in.get("labels");
        boolean[] labels = new boolean[l.size()];
        for (int i = 0; i < labels.length; i++) labels[i] = l.get(i).asBoolean();
        return new KtoLoss.Inputs(doubles(in.get("policy")), doubles(in.get("reference")), labels,
                doubles(in.get("policy_kl")), doubles(in.get("reference_kl")));
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : root().get("cases")) {
            out.add(Arguments.of(c.get("batch").asText() + " " + c.get("loss_type").asText() + " β=" + c.get("beta").asDouble()
                    + " w=" + c.get("desirable_weight").asDouble() + "/" + c.get("undesirable_weight").asDouble(), c));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ktoMatchesPyTorch(String label, JsonNode c) {
        KtoLoss loss = new KtoLoss(KtoLoss.Type.parse(c.get("loss_type").asText()), c.get("beta").asDouble(),
                c.get("desirable_weight").asDouble(), c.get("undesirable_weight").asDouble());
        KtoLoss.Result r = loss.compute(inputs(c.get("batch").asText()));
        assertRelClose(c.get("loss").asDouble(), r.loss(), REL, "loss");
        assertRelClose(doubles(c.get("losses")), r.losses(), REL, "losses");
        assertRelClose(doubles(c.get("d_policy")), r.dPolicy(), REL, "dL/dlogp");
        JsonNode expected = c.get("metrics");
        List<String> names = new ArrayList<>();
        expected.fieldNames().forEachRemaining(names::add);
        assertEquals(new TreeSet<>(names), new TreeSet<>(r.metrics().keySet()), "metric names");
        for (String k : names) assertRelClose(expected.get(k).asDouble(), r.metrics().get(k), REL, k);
    }

    @Test
    void referenceCoversEveryLossTypeAndTheClampedKl() {
        Set<String> seen = new HashSet<>();
        boolean clamped = false, positive = false;
        for (JsonNode c : root().get("cases")) {
            seen.add(c.get("loss_type").asText());
            if (c.get("loss_type").asText().equals("kto")) {
                double kl = c.get("metrics").get("kl").asDouble();
                clamped |= kl == 0;
                positive |= kl > 0;
            }
        }
        Set<String> all = new HashSet<>();
        for (KtoLoss.Type t : KtoLoss.Type.values()) all.add(t.toString());
        assertEquals(all, seen);
        assertEquals(true, clamped && positive, "a batch with z0 > 0 and one clamped at 0");
    }

    /** A batch of one side only logs that side's metrics, as TRL's "if all_num_chosen > 0". */
    @Test
    void aBatchWithoutUndesirableExamplesLogsOnlyTheChosenSide() {
        KtoLoss.Result r = new KtoLoss(KtoLoss.Type.KTO, 0.1, 1, 1).compute(new KtoLoss.Inputs(new double[] {-3, -4},
                new double[] {-3.5, -4}, new boolean[] {true, true}, new double[] {-5, -6}, new double[] {-6, -6}));
        assertEquals(List.of("kl", "rewards/chosen_sum", "logps/chosen_sum", "count/chosen"), new ArrayList<>(r.metrics().keySet()));
        assertEquals(0.5, r.kl(), 1e-15);
    }

    @Test
    void badSettingsAreInputErrorsNamedAsTrl() {
        var e = assertThrows(InputException.class, () -> KtoLoss.Type.parse("sigmoid"));
        assertEquals("loss_type: expected kto or apo_zero_unpaired, got \"sigmoid\"", e.getMessage());
        assertEquals("desirable_weight must be ≥ 0, got -1.0",
                assertThrows(InputException.class, () -> new KtoLoss(KtoLoss.Type.KTO, 0.1, -1, 1)).getMessage());
        assertThrows(InputException.class, () -> new KtoLoss(KtoLoss.Type.KTO, 0, 1, 1));
    }
}
