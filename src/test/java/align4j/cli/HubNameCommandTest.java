package align4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --model ORG/NAME} reads the snapshot in a hand-made Hugging Face cache (HF_HUB_CACHE); a missing model or
 * revision (--model-revision) is an input error naming the folder looked at. */
class HubNameCommandTest {
    static final Path REF = Path.of("src/test/resources/reference");
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    @Test
    void logpsOfAModelByHubNameEqualThoseOfItsFolder(@TempDir Path tmp) throws Exception {
        Path repo = tmp.resolve("hub/models--Qwen--Qwen3-Tiny");
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), COMMIT);
        CliRuns.copyTree(REF.resolve("models/qwen3_tied_bf16"), repo.resolve("snapshots").resolve(COMMIT));
        Path byName = tmp.resolve("by-name.jsonl"), byFolder = tmp.resolve("by-folder.jsonl");
        String data = REF.resolve("qwen3_tied_bf16.jsonl").toString();
        System.setProperty("HF_HUB_CACHE", tmp.resolve("hub").toString());
        try {
            assertEquals(0, Main.run("logps", "--model", "Qwen/Qwen3-Tiny", "--data", data, "--out", byName.toString()));
            CliRuns.Result missing = CliRuns.capturingStderr("logps", "--model", "Qwen/Qwen3-Missing", "--data", data,
                    "--out", tmp.resolve("x.jsonl").toString());
            assertEquals(2, missing.rc(), missing.err());
            assertTrue(missing.err().contains(tmp.resolve("hub/models--Qwen--Qwen3-Missing").toString()), missing.err());
            assertTrue(missing.err().contains("huggingface-cli download Qwen/Qwen3-Missing"), missing.err());
            CliRuns.Result revision = CliRuns.capturingStderr("dpo", "--model", "Qwen/Qwen3-Tiny", "--model-revision", "v2",
                    "--dataset", data, "--output-dir", tmp.resolve("run").toString());
            assertEquals(2, revision.rc(), revision.err());
            assertTrue(revision.err().contains("revision 'v2' is not in the Hugging Face cache"), revision.err());
            assertTrue(revision.err().contains("cached refs: main"), revision.err());
        } finally {
            System.clearProperty("HF_HUB_CACHE");
        }
        assertEquals(0, Main.run("logps", "--model", REF.resolve("models/qwen3_tied_bf16").toString(), "--data", data,
                "--out", byFolder.toString()));
        List<String> a = Files.readAllLines(byName), b = Files.readAllLines(byFolder);
        assertEquals(b, a);
    }
}
