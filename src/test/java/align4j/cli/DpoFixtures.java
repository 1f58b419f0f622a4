package align4j.cli;

import align4j.model.ModelConfig;
import align4j.model.ModelInit;
import align4j.model.TinyModels;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A tiny GPT-2 model folder and pre-tokenized preference data with a learnable preference: chosen
 * completions use even token ids, rejected ones odd ids, so a policy can learn it and generalise to
 * held-out pairs.
 */
public final class DpoFixtures {
    static final ObjectMapper JSON = new ObjectMapper();

    private DpoFixtures() {}

    /** GPT-2 over 48 ids, width 32, 2 layers of 4 heads, 64 positions, with the seed-5 initial weights. */
    public static Path tinyModel(Path dir) throws Exception {
        ModelConfig cfg = TinyModels.config(
                TinyModels.gpt2().put("vocab_size", 48).put("n_embd", 32).put("n_head", 4).put("n_positions", 64), "tiny");
        return TinyModels.save(dir, cfg, ModelInit.random(cfg, 5));
    }

    public static Path pairs(Path file, int n, long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (int i = 0; i < n; i++) {
                ObjectNode o = JSON.createObjectNode();
                ids(o.putArray("prompt_input_ids"), r, 2 + r.nextInt(4), -1);
                ids(o.putArray("chosen_input_ids"), r, 3 + r.nextInt(4), 0);
                ids(o.putArray("rejected_input_ids"), r, 3 + r.nextInt(4), 1);
                w.write(JSON.writeValueAsString(o));
                w.newLine();
            }
        }
        return file;
    }

    /** parity −1: any id; 0: even ids; 1: odd ids. */
    private static void ids(ArrayNode a, SplittableRandom r, int n, int parity) {
        for (int i = 0; i < n; i++) {
            int id = r.nextInt(48);
            if (parity >= 0) id = (id & ~1) | parity;
            a.add(id);
        }
    }

    /** The token-id pairs of a {@link #pairs} file, read without the dataset loader. */
    public static align4j.data.Pairs readPairs(Path file) throws Exception {
        List<String> lines = Files.readAllLines(file);
        int n = lines.size();
        int[][] pr = new int[n][], ch = new int[n][], rj = new int[n][];
        for (int i = 0; i < n; i++) {
            JsonNode o = JSON.readTree(lines.get(i));
            pr[i] = JSON.treeToValue(o.get("prompt_input_ids"), int[].class);
            ch[i] = JSON.treeToValue(o.get("chosen_input_ids"), int[].class);
            rj[i] = JSON.treeToValue(o.get("rejected_input_ids"), int[].class);
        }
        return new align4j.data.Pairs(pr, ch, rj, new String[n]);
    }

    /** n records of 2–4 random prompt_input_ids below 48 (the tiny models' vocabulary), drawn from seed: RL prompts. */
    public static Path randomPrompts(Path file, int n, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (int i = 0; i < n; i++) {
                ObjectNode o = JSON.createObjectNode();
                for (int j = 0; j < 2 + r.nextInt(3); j++) o.withArray("prompt_input_ids").add(r.nextInt(48));
                w.write(JSON.writeValueAsString(o));
                w.newLine();
            }
        }
        return file;
    }
}
