package align4j.cli;

import align4j.text.TextFixtures;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The tiny model and eight prompts with a 'solution' column (lines 1–8 of math.jsonl, solution = line − 1), and a
 * grpo command line on them: what the plug-in and remote reward tests share.
 */
record RewardRunFixture(Path model, Path prompts) {
    static RewardRunFixture create(Path dir) throws Exception {
        Path model = DpoFixtures.tinyModel(dir.resolve("model"));
        Path prompts = dir.resolve("math.jsonl");
        SplittableRandom r = new SplittableRandom(4);
        try (BufferedWriter w = Files.newBufferedWriter(prompts)) {
            for (int i = 0; i < 8; i++) {
                ObjectNode o = DpoFixtures.JSON.createObjectNode();
                for (int j = 0; j < 2 + r.nextInt(3); j++) o.withArray("prompt_input_ids").add(r.nextInt(48));
                o.put("solution", String.valueOf(i));
                w.write(DpoFixtures.JSON.writeValueAsString(o));
                w.newLine();
            }
        }
        return new RewardRunFixture(model, prompts);
    }

    /** grpo on the tiny model (its ids decode with Llama 2's tokenizer), 3 steps unless more says otherwise. */
    String[] grpo(Path out, String... more) {
        return CliRuns.args(List.of("grpo", "--model", model.toString(), "--tokenizer", TextFixtures.tokenizerDir("llama2").toString(),
                "--dataset", prompts.toString(), "--output-dir", out.toString(), "--num-generations", "4", "--max-completion-length", "6",
                "--per-device-train-batch-size", "8", "--learning-rate", "0.01", "--max-steps", "3", "--logging-steps", "1",
                "--threads", "1", "--beta", "0"), more);
    }
}
