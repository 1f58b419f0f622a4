package align4j.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code align4j kto} on a tiny model and unpaired data (desirable completions of even ids, undesirable of odd ids):
 * TRL's metric names, the desirable log-ratio rises and the undesirable one falls, resume equals the uninterrupted
 * run (full and LoRA), --eval-only, paired data split, and a bad label named by file, line and field.
 */
class KtoCommandTest {
    @TempDir
    static Path shared;
    static Path model, train, eval;

    static final List<String> METRICS = List.of("loss", "kl", "rewards/chosen", "logps/chosen", "logits/chosen",
            "rewards/rejected", "logps/rejected", "logits/rejected");

    @BeforeAll
    static void fixtures() throws Exception {
        model = DpoFixtures.tinyModel(shared.resolve("model"));
        train = unpaired(shared.resolve("train.jsonl"), 192, 1);
        eval = unpaired(shared.resolve("eval.jsonl"), 48, 2);
    }

    /** Pre-tokenized unpaired records: label true with even completion ids, false with odd ones. */
    static Path unpaired(Path file, int n, long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (int i = 0; i < n; i++) {
                ObjectNode o = DpoFixtures.JSON.createObjectNode();
                boolean label = r.nextBoolean();
                var p = o.putArray("prompt_input_ids");
                for (int k = 2 + r.nextInt(4); k > 0; k--) p.add(r.nextInt(48));
                var c = o.putArray("completion_input_ids");
                for (int k = 3 + r.nextInt(4); k > 0; k--) c.add((r.nextInt(48) & ~1) | (label ? 0 : 1));
                o.put("label", label);
                w.write(DpoFixtures.JSON.writeValueAsString(o));
                w.newLine();
            }
        }
        return file;
    }

    @Test
    void ktoLogsTrlNamesRaisesDesirableAndLowersUndesirableLogRatios(@TempDir Path out) throws Exception {
        assertEquals(0, Main.run("kto", "--model", model.toString(), "--dataset", train.toString(), "--eval-dataset", eval.toString(),
                "--output-dir", out.toString(), "--learning-rate", "3e-3", "--batch-size", "8", "--max-steps", "24",
                "--logging-steps", "4", "--warmup-ratio", "0.1", "--threads", "1", "--seed", "3"));
        List<JsonNode> all = CliRuns.metrics(out);
        List<JsonNode> ev = all.stream().filter(n -> n.has("eval_loss")).toList();
        JsonNode firstTrain = all.stream().filter(n -> n.has("loss")).findFirst().orElseThrow();
        for (String k : METRICS) {
            assertTrue(firstTrain.has(k), "no " + k + " in " + firstTrain);
            assertTrue(ev.get(0).has("eval_" + k), "no eval_" + k + " in " + ev.get(0));
        }
        JsonNode first = ev.get(0), last = ev.get(ev.size() - 1);
        // rewards/* = β · the mean log-ratio log π/π_ref of the desirable (chosen) and undesirable (rejected) examples
        assertTrue(last.get("eval_rewards/chosen").asDouble() > first.get("eval_rewards/chosen").asDouble() + 0.01, first + " → " + last);
        assertTrue(last.get("eval_rewards/rejected").asDouble() < first.get("eval_rewards/rejected").asDouble() - 0.01, first + " → " + last);
        assertTrue(last.get("eval_rewards/chosen").asDouble() > 0 && last.get("eval_rewards/rejected").asDouble() < 0, last.toString());
        assertTrue(last.get("eval_kl").asDouble() >= 0);
        assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
        assertTrue(Files.isRegularFile(out.resolve("eval_results.json")));
        assertTrue(Files.isDirectory(out.resolve("ref_cache")));
    }

    @Test
    void evalOnlyWritesTrlNamesAndAtTheStartEveryRewardIsZero(@TempDir Path out) throws Exception {
        assertEquals(0, Main.run("kto", "--model", model.toString(), "--dataset", eval.toString(), "--output-dir", out.toString(),
                "--eval-only", "--threads", "1"));
        JsonNode r = DpoFixtures.JSON.readTree(out.resolve("eval_results.json").toFile());
        for (String k : METRICS) assertTrue(r.has("eval_" + k), "eval_" + k + " in " + r);
        // the reference is the policy itself: every log-ratio, hence every reward and z0, is 0, and the loss 1 − σ(0)
        assertEquals(0, r.get("eval_rewards/chosen").asDouble(), 1e-6);
        assertEquals(0, r.get("eval_kl").asDouble(), 1e-6);
        assertEquals(0.5, r.get("eval_loss").asDouble(), 1e-6);
    }

    /** Paired records are split as TRL's unpair_preference_dataset: each chosen desirable, each rejected undesirable. */
    @Test
    void pairedDataIsSplitIntoDesirableAndUndesirableExamples(@TempDir Path tmp) throws Exception {
        Path pairs = DpoFixtures.pairs(tmp.resolve("pairs.jsonl"), 16, 4), out = tmp.resolve("out");
        var run = CliRuns.capturingStderr("kto", "--model", model.toString(), "--dataset", pairs.toString(), "--output-dir",
                out.toString(), "--eval-only", "--threads", "1");
        assertEquals(0, run.rc(), run.err());
        assertTrue(run.err().contains("32 examples, 16 desirable"), run.err());
        JsonNode r = DpoFixtures.JSON.readTree(out.resolve("eval_results.json").toFile());
        assertTrue(r.has("eval_logps/chosen") && r.has("eval_logps/rejected"), r.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"kto", "kto --loss-type apo_zero_unpaired --beta 0.5", "kto --use-peft --lora-target-modules all-linear"})
    void resumedRunEqualsTheUninterruptedRun(String commandLine, @TempDir Path tmp) throws Exception {
        boolean lora = commandLine.contains("--use-peft");
        List<String> common = new ArrayList<>(List.of(commandLine.split(" ")));
        common.addAll(List.of("--model", model.toString(), "--dataset", eval.toString(), "--learning-rate", "1e-3",
                "--batch-size", "4", "--gradient-accumulation-steps", "2", "--max-steps", "8", "--save-steps", "4",
                "--logging-steps", "2", "--threads", "1"));
        CliRuns.assertResumeEqualsUninterrupted(common, tmp, lora);
    }

    @Test
    void aLabelThatIsNotABooleanIsAnInputErrorNamingFileLineAndField(@TempDir Path tmp) throws Exception {
        Path bad = tmp.resolve("bad.jsonl");
        Files.writeString(bad, "{\"prompt_input_ids\": [1, 2], \"completion_input_ids\": [4, 6], \"label\": true}\n"
                + "{\"prompt_input_ids\": [1, 2], \"completion_input_ids\": [5, 7], \"label\": \"no\"}\n");
        var run = CliRuns.capturingStderr("kto", "--model", model.toString(), "--dataset", bad.toString(), "--output-dir",
                tmp.resolve("out").toString(), "--threads", "1");
        assertEquals(2, run.rc());
        assertTrue(run.err().contains("bad.jsonl, line 2, field \"label\": expected true (desirable) or false (undesirable), got \"no\""),
                run.err());
    }

    /** KTOConfig's snake_case keys in --config: APO-zero has no reference point, so kl is 0 whatever the policy. */
    @Test
    void settingsComeFromAConfigFileWithTrlsKeys(@TempDir Path tmp) throws Exception {
        Path cfg = tmp.resolve("kto.yaml"), out = tmp.resolve("out");
        Files.writeString(cfg, "loss_type: apo_zero_unpaired\nbeta: 0.5\ndesirable_weight: 1.5\nundesirable_weight: 0.5\n");
        assertEquals(0, Main.run("kto", "--config", cfg.toString(), "--model", model.toString(), "--dataset", eval.toString(),
                "--output-dir", out.toString(), "--eval-only", "--threads", "1"));
        JsonNode r = DpoFixtures.JSON.readTree(out.resolve("eval_results.json").toFile());
        // at the start every log-ratio is 0: desirable losses 1.5·(1 − σ(0)), undesirable 0.5·σ(0)
        long desirable = Files.readAllLines(eval).stream().filter(l -> l.contains("\"label\":true")).count();
        assertEquals((1.5 * 0.5 * desirable + 0.5 * 0.5 * (48 - desirable)) / 48, r.get("eval_loss").asDouble(), 1e-6);
        assertEquals(0, r.get("eval_kl").asDouble());
    }

    @Test
    void aBatchOfOneIsRefusedForKtoAsTrlRefusesIt(@TempDir Path tmp) {
        var run = CliRuns.capturingStderr("kto", "--model", model.toString(), "--dataset", eval.toString(), "--output-dir",
                tmp.resolve("out").toString(), "--batch-size", "1", "--threads", "1");
        assertEquals(2, run.rc());
        assertTrue(run.err().contains("per_device_train_batch_size must be > 1"), run.err());
    }
}
