package align4j.cli;

import static org.junit.jupiter.api.Assertions.*;

import align4j.generate.Generation;
import align4j.generate.Generator;
import align4j.generate.SamplingParams;
import align4j.io.HfModel;
import align4j.model.ModelConfig;
import align4j.model.TinyModels;
import align4j.model.Transformer;
import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code align4j generate} end to end on a tiny Llama over the Llama 2 tokenizer (with its chat template):
 * text, conversational and pre-tokenized prompts; the ids written equal the {@link Generator} API's for the
 * same prompt ids, eos from generation_config.json, and bad records name file, line and field.
 */
class GenerateCommandTest {
    @TempDir
    Path tmp;

    Path modelDir() throws Exception {
        Path dir = tmp.resolve("model");
        ModelConfig cfg = TinyModels.config(
                TinyModels.oneLayerLlama(TinyModels.LLAMA2_VOCAB).put("max_position_embeddings", 256), "tiny");
        return TinyModels.save(dir, cfg, TinyModels.randomWeights(cfg, 2, 0.3), "llama2");
    }

    @Test
    void writesEachRecordWithItsCompletions() throws Exception {
        Path model = modelDir();
        Path prompts = tmp.resolve("prompts.jsonl");
        Files.writeString(prompts, String.join("\n",
                "{\"id\": 1, \"prompt\": \"The capital of France is\"}",
                "{\"id\": 2, \"prompt\": [{\"role\": \"user\", \"content\": \"Hi there\"}]}",
                "{\"id\": 3, \"prompt_input_ids\": [1, 15043, 3186]}",
                "",
                "{\"id\": 4, \"messages\": [{\"role\": \"user\", \"content\": \"Name a colour.\"}]}") + "\n");
        Tokenizer tok = Tokenizer.load(model);
        List<Object> chat = List.of(java.util.Map.of("role", "user", "content", "Hi there"));
        List<Object> chat2 = List.of(java.util.Map.of("role", "user", "content", "Name a colour."));
        List<int[]> ids = List.of(tok.encode("The capital of France is", true),
                tok.encode(tok.applyChatTemplate(chat, true), false), new int[] {1, 15043, 3186},
                tok.encode(tok.applyChatTemplate(chat2, true), false));
        var loaded = HfModel.load(model);
        Transformer t = new Transformer(loaded.config(), loaded.tensors());
        SamplingParams p = new SamplingParams(9, true, 0.9f, 500, 0.95f, 2, List.of(2), List.of());
        // eos_token_id from generation_config.json: one the first completion draws, so that it ends with "stop"
        int eos = new Generator(t, tok).generate(ids, p, 11).getFirst().tokenIds()[3];
        Files.writeString(model.resolve("generation_config.json"), "{\"eos_token_id\": [2, " + eos + "]}");
        p = new SamplingParams(9, true, 0.9f, 500, 0.95f, 2, List.of(2, eos), List.of());
        List<Generation> api = new Generator(t, tok).batchSize(2).generate(ids, p, 11);

        Path out = tmp.resolve("out/gen.jsonl");
        int rc = Main.run("generate", "--model", model.toString(), "--prompts", prompts.toString(), "--out", out.toString(),
                "--max-new-tokens", "9", "--num-return-sequences", "2", "--temperature", "0.9", "--top-k", "500",
                "--top-p", "0.95", "--seed", "11", "--batch-size", "3", "--threads", "1");
        assertEquals(0, rc);
        List<String> lines = Files.readAllLines(out);
        assertEquals(8, lines.size());
        List<String> reasons = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            JsonNode r = DpoFixtures.JSON.readTree(lines.get(i));
            assertEquals(i / 2 + 1, r.get("id").asInt());
            Generation g = api.get(i);
            int[] got = DpoFixtures.JSON.convertValue(r.get("completion_input_ids"), int[].class);
            assertArrayEquals(g.tokenIds(), got, "line " + (i + 1));
            assertEquals(g.finishReason().label(), r.get("finish_reason").asText());
            reasons.add(r.get("finish_reason").asText());
            String text = i / 2 == 1 || i / 2 == 3
                    ? r.get("completion").get(0).get("content").asText() : r.get("completion").asText();
            if (i / 2 == 1 || i / 2 == 3) assertEquals("assistant", r.get("completion").get(0).get("role").asText());
            assertEquals(g.text(), text);
            boolean stopped = got.length > 0 && (got[got.length - 1] == 2 || got[got.length - 1] == eos);
            assertEquals(stopped ? "stop" : "length", r.get("finish_reason").asText());
            assertEquals(tok.decode(stopped ? Arrays.copyOf(got, got.length - 1) : got, true), text);
            assertTrue(got.length <= 9);
        }
        assertTrue(reasons.contains("length") && reasons.contains("stop"), reasons.toString());
    }

    @Test
    void badRecordNamesFileLineAndField() throws Exception {
        Path model = modelDir();
        Path prompts = tmp.resolve("bad.jsonl");
        Files.writeString(prompts, "{\"prompt\": \"ok\"}\n{\"prompt_input_ids\": [1, 32000]}\n");
        var run = CliRuns.capturingStderr("generate", "--model", model.toString(), "--prompts", prompts.toString(), "--out",
                tmp.resolve("o.jsonl").toString());
        assertEquals(2, run.rc());
        String msg = run.err();
        assertTrue(msg.contains("bad.jsonl") && msg.contains("line 2") && msg.contains("prompt_input_ids"), msg);
        assertFalse(Files.exists(tmp.resolve("o.jsonl")));
    }

    /** Options from a config file (TRL's snake_case keys), a flag overriding one; greedy decoding is deterministic. */
    @Test
    void readsOptionsFromAConfigFile() throws Exception {
        Path model = modelDir();
        Path prompts = tmp.resolve("p.jsonl");
        Files.writeString(prompts, "{\"prompt_input_ids\": [1, 15043]}\n");
        Path cfg = tmp.resolve("gen.yaml");
        Files.writeString(cfg, "max_new_tokens: 5\ntemperature: 0\nstop_token_ids: [31999]\nnum_return_sequences: 2\n");
        Path out = tmp.resolve("o.jsonl");
        assertEquals(0, Main.run("generate", "--config", cfg.toString(), "--model", model.toString(), "--prompts",
                prompts.toString(), "--out", out.toString(), "--max-new-tokens", "4"));
        List<String> lines = Files.readAllLines(out);
        assertEquals(2, lines.size());
        JsonNode a = DpoFixtures.JSON.readTree(lines.get(0)), b = DpoFixtures.JSON.readTree(lines.get(1));
        assertEquals(a.get("completion_input_ids"), b.get("completion_input_ids")); // greedy: both samples agree
        assertEquals(4, a.get("completion_input_ids").size());
        assertEquals("length", a.get("finish_reason").asText());
    }
}
