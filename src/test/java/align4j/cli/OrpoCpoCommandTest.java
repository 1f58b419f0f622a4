package align4j.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code align4j orpo} and {@code align4j cpo} on a tiny model: TRL's metric names, and the preference is learned. */
class OrpoCpoCommandTest {
    @TempDir
    static Path shared;
    static Path model, train, eval;

    static final List<String> COMMON_METRICS = List.of("loss", "rewards/chosen", "rewards/rejected", "rewards/accuracies",
            "rewards/margins", "logps/chosen", "logps/rejected", "logits/chosen", "logits/rejected", "nll_loss");

    @BeforeAll
    static void fixtures() throws Exception {
        model = DpoFixtures.tinyModel(shared.resolve("model"));
        train = DpoFixtures.pairs(shared.resolve("train.jsonl"), 96, 1);
        eval = DpoFixtures.pairs(shared.resolve("eval.jsonl"), 32, 2);
    }

    static List<String> args(String command, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of(command, "--model", model.toString(), "--dataset", train.toString(),
                "--eval-dataset", eval.toString(), "--output-dir", out.toString(), "--learning-rate", "3e-3", "--batch-size", "8",
                "--max-steps", "24", "--logging-steps", "4", "--warmup-ratio", "0.1", "--threads", "1", "--seed", "3"));
        a.addAll(List.of(more));
        return a;
    }

    /**
     * Runs the command, checks TRL's names in the train and eval rows, that the held-out margin rises and the
     * held-out accuracy ends at least at minAccuracy.
     */
    static void trainsWithTrlNames(List<String> a, Path out, List<String> names, double minAccuracy) throws Exception {
        assertEquals(0, Main.run(a.toArray(String[]::new)));
        List<JsonNode> all = CliRuns.metrics(out), ev = DpoCommandTest.evalLines(all);
        JsonNode firstTrain = all.stream().filter(n -> n.has("loss")).findFirst().orElseThrow();
        for (String k : names) {
            assertTrue(firstTrain.has(k), a.get(0) + ": no " + k + " in " + firstTrain);
            assertTrue(ev.get(0).has("eval_" + k), a.get(0) + ": no eval_" + k + " in " + ev.get(0));
        }
        JsonNode first = ev.get(0), last = ev.get(ev.size() - 1);
        assertTrue(last.get("eval_rewards/margins").asDouble() > first.get("eval_rewards/margins").asDouble() + 0.01,
                a + ": " + first + " → " + last);
        assertTrue(last.get("eval_rewards/accuracies").asDouble() >= minAccuracy, a + ": " + last);
        assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
        assertTrue(Files.isRegularFile(out.resolve("eval_results.json")));
    }

    @Test
    void orpoLogsTrlNamesAndRaisesTheMargin(@TempDir Path out) throws Exception {
        List<String> names = new ArrayList<>(COMMON_METRICS);
        names.addAll(List.of("log_odds_ratio", "log_odds_chosen"));
        trainsWithTrlNames(args("orpo", out, "--beta", "0.5"), out, names, 0.9);
    }

    @Test
    void simpoLogsTrlNamesAndRaisesTheMargin(@TempDir Path out) throws Exception {
        trainsWithTrlNames(args("cpo", out, "--loss-type", "simpo", "--beta", "2.0", "--simpo-gamma", "0.5", "--cpo-alpha", "0"),
                out, COMMON_METRICS, 0.9);
    }

    /** TRL's defaults: β = 0.1 on summed log-probs with the NLL at weight 1, which dominates at this size. */
    @Test
    void cpoWithItsDefaultsTrains(@TempDir Path out) throws Exception {
        trainsWithTrlNames(args("cpo", out), out, COMMON_METRICS, 0.8);
    }

    @Test
    void evalOnlyWritesTrlNames(@TempDir Path out) throws Exception {
        assertEquals(0, Main.run("orpo", "--model", model.toString(), "--dataset", eval.toString(), "--output-dir", out.toString(),
                "--eval-only", "--threads", "1"));
        JsonNode r = DpoFixtures.JSON.readTree(out.resolve("eval_results.json").toFile());
        for (String k : List.of("eval_loss", "eval_nll_loss", "eval_log_odds_ratio", "eval_log_odds_chosen", "eval_rewards/margins")) {
            assertTrue(r.has(k), k + " in " + r);
        }
    }

    /**
     * The shared loop gives orpo and cpo resume and LoRA as it gives dpo: a run resumed from its step-4 checkpoint ends
     * with the same weights and metrics as the uninterrupted run, full and with a PEFT adapter.
     */
    @ParameterizedTest
    @ValueSource(strings = {"orpo", "cpo --loss-type simpo --beta 2", "orpo --use-peft --lora-target-modules all-linear"})
    void resumedRunEqualsTheUninterruptedRun(String commandLine, @TempDir Path tmp) throws Exception {
        boolean lora = commandLine.contains("--use-peft");
        List<String> common = new ArrayList<>(List.of(commandLine.split(" ")));
        common.addAll(List.of("--model", model.toString(), "--dataset", eval.toString(), "--learning-rate", "1e-3",
                "--batch-size", "4", "--gradient-accumulation-steps", "2", "--max-steps", "8", "--save-steps", "4",
                "--logging-steps", "2", "--threads", "1"));
        CliRuns.assertResumeEqualsUninterrupted(common, tmp, lora);
    }

    /** CPOConfig's snake_case keys in --config: SimPO with α = 0 logs nll_loss 0 (as TRL), and rewards are β·logps. */
    @Test
    void cpoSettingsComeFromAConfigFileWithTrlsKeys(@TempDir Path tmp) throws Exception {
        Path cfg = tmp.resolve("cpo.yaml");
        Files.writeString(cfg, "loss_type: simpo\nbeta: 2.5\nsimpo_gamma: 0.3\ncpo_alpha: 0\n");
        Path out = tmp.resolve("out");
        assertEquals(0, Main.run("cpo", "--config", cfg.toString(), "--model", model.toString(), "--dataset", eval.toString(),
                "--output-dir", out.toString(), "--eval-only", "--threads", "1"));
        JsonNode r = DpoFixtures.JSON.readTree(out.resolve("eval_results.json").toFile());
        assertEquals(0.0, r.get("eval_nll_loss").asDouble());
        assertEquals(2.5 * r.get("eval_logps/chosen").asDouble(), r.get("eval_rewards/chosen").asDouble(), 1e-9);
        assertTrue(r.get("eval_logps/chosen").asDouble() > -10, "simpo reads averaged log-probs: " + r);
    }

    @Test
    void unknownLossTypeIsAnInputError(@TempDir Path out) {
        var run = CliRuns.capturingStderr("cpo", "--model", model.toString(), "--dataset", train.toString(), "--output-dir",
                out.toString(), "--loss-type", "bco_pair");
        assertEquals(2, run.rc());
        assertTrue(run.err().contains("unknown loss_type 'bco_pair' for cpo"), run.err());
    }
}
