package align4j.cli;

import static org.junit.jupiter.api.Assertions.*;

import align4j.train.RewardPlugin;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * --reward-jar: a real plug-in jar, compiled and packed inside the test, named on --reward-funcs beside a built-in;
 * its metrics and weight work as a built-in's. A jar without a provider, or with a built-in's name, stops the run
 * naming the jar.
 */
@Timeout(300)
class RewardPluginCommandTest {
    static final String SOURCE = """
            package demo;

            import align4j.eval.Sample;
            import java.util.List;

            /** The record's solution as a number, plus 0.5 when the completion came as text. */
            public class SolutionReward implements align4j.train.RewardPlugin {
                public String name() { return "%s"; }

                public double[] score(List<Sample> samples) {
                    double[] out = new double[samples.size()];
                    for (int i = 0; i < out.length; i++) {
                        Sample s = samples.get(i);
                        out[i] = Double.parseDouble(s.record().json().path("solution").asText())
                                + (s.completion() != null && s.completionIds().length > 0 ? 0.5 : 0);
                    }
                    return out;
                }
            }
            """;

    @TempDir
    static Path shared;
    static RewardRunFixture fx;

    @BeforeAll
    static void fixtures() throws Exception {
        fx = RewardRunFixture.create(shared);
    }

    /** A jar holding demo.SolutionReward named name, listed in META-INF/services when withService. */
    static Path pluginJar(Path dir, String name, boolean withService) throws Exception {
        Path src = dir.resolve("src/demo/SolutionReward.java"), classes = dir.resolve("classes");
        Files.createDirectories(src.getParent());
        Files.createDirectories(classes);
        Files.writeString(src, SOURCE.formatted(name));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        String cp = codeSource(RewardPlugin.class) + java.io.File.pathSeparator + codeSource(com.fasterxml.jackson.databind.JsonNode.class)
                + java.io.File.pathSeparator + codeSource(com.fasterxml.jackson.core.TreeNode.class);
        assertEquals(0, javac.run(null, null, null, "-classpath", cp, "-d", classes.toString(), src.toString()), "the plug-in compiles");
        Path jar = dir.resolve(name + (withService ? "" : "-empty") + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            try (Stream<Path> s = Files.walk(classes)) {
                for (Path p : s.filter(Files::isRegularFile).toList()) {
                    out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
                    out.write(Files.readAllBytes(p));
                    out.closeEntry();
                }
            }
            if (withService) {
                out.putNextEntry(new JarEntry("META-INF/services/" + RewardPlugin.class.getName()));
                out.write("# the demo plug-in\ndemo.SolutionReward\n".getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }

    private static String codeSource(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    @Test
    void aPluginFromAJarIsATermOfTheSumLikeABuiltIn(@TempDir Path out) throws Exception {
        Path jar = pluginJar(out.resolve("plugin"), "solution-value", true);
        Path run = out.resolve("run");
        assertEquals(0, Main.run(fx.grpo(run, "--reward-jar", jar.toString(),
                "--reward-funcs", "solution-value,target-token:7", "--reward-weights", "2,1")));
        List<JsonNode> m = CliRuns.metrics(run);
        assertEquals(3, m.size());
        for (JsonNode step : m) {
            double plugin = step.get("rewards/solution-value/mean").asDouble();
            assertTrue(plugin >= 0.5, "the plug-in saw the record's solution and the text: " + step);
            assertTrue(step.has("rewards/solution-value/std"), step.toString());
            assertEquals(2 * plugin + step.get("rewards/target-token:7/mean").asDouble(), step.get("reward").asDouble(), 1e-5, step.toString());
        }
    }

    @Test
    void aJarWithoutAProviderOrWithABuiltInsNameIsNamed(@TempDir Path out) throws Exception {
        Path empty = pluginJar(out.resolve("empty"), "solution-value", false);
        var r = CliRuns.capturingStderr(fx.grpo(out.resolve("a"), "--reward-jar", empty.toString(), "--reward-funcs", "target-token:7"));
        assertEquals(2, r.rc());
        assertTrue(r.err().contains(empty.toString()) && r.err().contains("no reward plug-in"), r.err());

        Path clash = pluginJar(out.resolve("clash"), "accuracy", true);
        r = CliRuns.capturingStderr(fx.grpo(out.resolve("b"), "--reward-jar", clash.toString(), "--reward-funcs", "accuracy"));
        assertEquals(2, r.rc());
        assertTrue(r.err().contains(clash.toString()) && r.err().contains("built-in"), r.err());

        r = CliRuns.capturingStderr(fx.grpo(out.resolve("c"), "--reward-jar", out.resolve("missing.jar").toString(),
                "--reward-funcs", "target-token:7"));
        assertEquals(2, r.rc());
        assertTrue(r.err().contains("missing.jar"), r.err());
        assertFalse(Files.exists(out.resolve("a/metrics.jsonl")) || Files.exists(out.resolve("b/metrics.jsonl")));
    }
}
