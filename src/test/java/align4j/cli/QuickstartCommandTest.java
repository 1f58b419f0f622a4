package align4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A scaled-down quickstart (--tiny: the same stages on tiny sizes) writes its outputs, deterministically. */
class QuickstartCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesEveryMethodAndTheSameSummaryTwice() throws Exception {
        Path a = dir.resolve("a"), b = dir.resolve("b");
        assertEquals(0, Main.run("quickstart", "--tiny", "--threads", "2", "--output-dir", a.toString()));
        assertEquals(0, Main.run("quickstart", "--tiny", "--threads", "2", "--output-dir", b.toString()));
        ObjectMapper om = new ObjectMapper();
        JsonNode sa = om.readTree(a.resolve("summary.json").toFile()), sb = om.readTree(b.resolve("summary.json").toFile());
        assertTrue(sa.get("seconds").asDouble() > 0);
        Set<String> methods = new HashSet<>();
        for (JsonNode m : sa.get("methods")) {
            methods.add(m.get("method").asText());
            assertTrue(m.has("param") && m.has("gold_reward") && m.has("kl"), m.toString());
            double r = m.get("gold_reward").asDouble();
            assertTrue(r > 0 && r < 1, m.toString());
            assertTrue(m.get("kl").asDouble() >= 0, m.toString());
        }
        assertEquals(Set.of("sft", "dpo", "ppo", "ppo-gt", "best-of-n", "best-of-n-gold", "preferred-ft"), methods);
        assertTrue(sa.get("checkpoints").size() > 0);
        assertEquals(0.0, sa.get("methods").get(0).get("kl").asDouble(), 0, "the SFT model is the reference");
        for (JsonNode s : new JsonNode[] {sa, sb}) ((ObjectNode) s).remove(java.util.List.of("seconds", "cpu_seconds"));
        assertEquals(sa, sb, "same seed, same summary");
        String html = Files.readString(a.resolve("report.html"));
        assertTrue(html.contains("<svg") && html.contains("</svg>"));
        for (String m : methods) assertTrue(html.contains(m), m);
        assertTrue(Files.isRegularFile(a.resolve("sft/model.safetensors")) && Files.isRegularFile(a.resolve("sft/tokenizer.json")));
    }

    @Test
    void anotherSeedGivesAnotherExperiment() throws Exception {
        Path a = dir.resolve("s1");
        assertEquals(0, Main.run("quickstart", "--tiny", "--seed", "1", "--output-dir", a.toString()));
        Path b = dir.resolve("s2");
        assertEquals(0, Main.run("quickstart", "--tiny", "--seed", "2", "--output-dir", b.toString()));
        ObjectMapper om = new ObjectMapper();
        assertTrue(!om.readTree(a.resolve("summary.json").toFile()).get("methods")
                .equals(om.readTree(b.resolve("summary.json").toFile()).get("methods")));
    }
}
