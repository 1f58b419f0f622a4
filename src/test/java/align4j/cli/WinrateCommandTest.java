package align4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import align4j.eval.JudgeStub;
import align4j.model.ModelConfig;
import align4j.model.ModelInit;
import align4j.model.TinyModels;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code align4j winrate} end to end on a tiny Llama over the Llama 2 tokenizer. */
class WinrateCommandTest {
    @TempDir
    Path tmp;

    private Path policy() throws Exception {
        Path dir = tmp.resolve("policy");
        ModelConfig cfg = TinyModels.config(TinyModels.oneLayerLlama(TinyModels.LLAMA2_VOCAB).put("max_position_embeddings", 128), "tiny");
        return TinyModels.save(dir, cfg, ModelInit.random(cfg, 2), "llama2");
    }

    private Path prompts() throws Exception {
        Path p = tmp.resolve("prompts.jsonl");
        Files.writeString(p, """
                {"prompt": "The capital of France is"}
                {"prompt": "Name a colour:"}
                {"prompt": "Make <b>this</b> & \\"that\\" bold:"}
                {"prompt": "Once upon a time"}
                """);
        return p;
    }

    private static String[] args(Path policy, Path prompts, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("winrate", "--policy", policy.toString(), "--prompts", prompts.toString(), "--out",
                out.toString(), "--num-samples", "8", "--temperature", "1.0", "--max-new-tokens", "8", "--seed", "3", "--threads", "1"));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    private static JsonNode run(String... args) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, Main.run(args));
        } finally {
            System.setOut(old);
        }
        return DpoFixtures.JSON.readTree(buf.toString(StandardCharsets.UTF_8).strip());
    }

    @Test
    void aPolicyAgainstItselfWinsAboutHalfTheTime() throws Exception {
        Path policy = policy(), prompts = prompts(), out = tmp.resolve("winrate.json"), html = tmp.resolve("winrate.html");
        JsonNode s = run(args(policy, prompts, out, "--baseline", policy.toString(), "--label", "function:length", "--html", html.toString()));
        assertEquals(s, DpoFixtures.JSON.readTree(Files.readString(out)));
        assertEquals(32, s.get("pairs").asInt() + s.get("invalid").asInt());
        assertEquals(32, s.get("wins").asInt() + s.get("ties").asInt() + s.get("losses").asInt());
        double w = s.get("win_rate").asDouble(), lo = s.get("win_rate_ci_low").asDouble(), hi = s.get("win_rate_ci_high").asDouble();
        assertTrue(lo < 0.5 && 0.5 < hi, s.toString());
        assertEquals(0.5, w, 0.2, s.toString());
        assertEquals((s.get("wins").asInt() + 0.5 * s.get("ties").asInt()) / 32, w, 1e-12);
        assertTrue(s.get("wins").asInt() > 0 && s.get("losses").asInt() > 0, "independent samples, not the same ones twice: " + s);
        assertTrue(s.get("position_bias").isNull());
        assertTrue(Double.isFinite(s.get("length_controlled_win_rate").asDouble()));
        String page = Files.readString(html);
        assertTrue(page.contains("Wilson") && page.contains("policy") && page.contains("baseline"));
        assertFalse(page.contains("<b>this"));

        // The same policy's completions as a file (what generate writes) are a baseline too.
        Path gen = tmp.resolve("gen.jsonl");
        assertEquals(0, Main.run("generate", "--model", policy.toString(), "--prompts", prompts.toString(), "--out", gen.toString(),
                "--num-return-sequences", "8", "--temperature", "1.0", "--max-new-tokens", "8", "--seed", "3", "--threads", "1"));
        JsonNode same = run(args(policy, prompts, out, "--baseline-completions", gen.toString(), "--label", "function:length"));
        assertEquals(32, same.get("ties").asInt(), "the same seed draws the same completions: every pair ties " + same);
        assertEquals(0.5, same.get("win_rate").asDouble());
    }

    @Test
    void theJudgeSeesBothOrdersAndItsPositionBiasIsReported() throws Exception {
        Path policy = policy(), prompts = prompts(), out = tmp.resolve("winrate.json");
        try (JudgeStub stub = new JudgeStub()) {
            stub.fixedAnswer = "0"; // always the first position
            JsonNode s = run(args(policy, prompts, out, "--baseline", policy.toString(), "--label", "judge", "--num-samples", "2",
                    "--judge-base-url", stub.baseUrl().toString(), "--judge-api-key-env", "ALIGN4J_NO_SUCH_VARIABLE"));
            assertEquals(16, stub.bodies.size(), "8 pairs, each in both orders");
            assertEquals(8, s.get("ties").asInt(), "a judge that follows the position ties every pair: " + s);
            assertEquals(0.5, s.get("win_rate").asDouble());
            assertEquals(1.0, s.get("position_bias").get("first_position_rate").asDouble());
            assertEquals(0.0, s.get("position_bias").get("order_agreement").asDouble());
        }
    }

    @Test
    void badFlagsAreUserErrors() throws Exception {
        Path policy = policy(), prompts = prompts(), out = tmp.resolve("x.json");
        assertEquals(2, Main.run(args(policy, prompts, out, "--baseline", policy.toString(), "--label", "function:nope")));
        assertEquals(2, Main.run(args(policy, prompts, out, "--baseline", policy.toString(), "--label", "function:length", "--confidence", "1.5")));
        assertEquals(2, Main.run(args(policy, prompts, out, "--baseline-completions", tmp.resolve("none.jsonl").toString(), "--label",
                "function:length")));
        assertFalse(Files.exists(out));
    }
}
