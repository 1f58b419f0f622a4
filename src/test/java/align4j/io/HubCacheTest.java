package align4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import align4j.InputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hub names resolve in a hand-made cache laid out as huggingface_hub lays it out; local folders stay as they are. */
class HubCacheTest {
    static final String MAIN_COMMIT = "0123456789abcdef0123456789abcdef01234567";
    static final String TAG_COMMIT = "89abcdef0123456789abcdef0123456789abcdef";

    /** models--Qwen--Qwen3-0.6B with refs/main and refs/v1 pointing at two snapshots, as `huggingface-cli download` leaves it. */
    static Path cache(Path root) throws Exception {
        Path repo = root.resolve("models--Qwen--Qwen3-0.6B");
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), MAIN_COMMIT); // huggingface_hub writes the hash without a newline
        Files.writeString(repo.resolve("refs/v1"), TAG_COMMIT + "\n");
        Files.createDirectories(repo.resolve("snapshots").resolve(MAIN_COMMIT));
        Files.createDirectories(repo.resolve("snapshots").resolve(TAG_COMMIT));
        return repo;
    }

    static UnaryOperator<String> env(Map<String, String> vars) {
        return vars::get;
    }

    @Test
    void cacheFolderFollowsHuggingfaceHubsVariables() {
        assertEquals(Path.of("/a"), HubCache.cacheRoot(env(Map.of("HF_HUB_CACHE", "/a", "HF_HOME", "/b"))));
        assertEquals(Path.of("/old"), HubCache.cacheRoot(env(Map.of("HUGGINGFACE_HUB_CACHE", "/old", "HF_HOME", "/b"))));
        assertEquals(Path.of("/b/hub"), HubCache.cacheRoot(env(Map.of("HF_HOME", "/b", "XDG_CACHE_HOME", "/x"))));
        assertEquals(Path.of("/x/huggingface/hub"), HubCache.cacheRoot(env(Map.of("XDG_CACHE_HOME", "/x"))));
        assertEquals(Path.of("/home/u/.cache/huggingface/hub"), HubCache.cacheRoot(env(Map.of("HOME", "/home/u"))));
        assertEquals(Path.of("/home/u/hf/hub"), HubCache.cacheRoot(env(Map.of("HOME", "/home/u", "HF_HOME", "~/hf"))));
    }

    @Test
    void hubNameResolvesToTheSnapshotOfRefsMainOrOfARevision(@TempDir Path root) throws Exception {
        Path repo = cache(root);
        UnaryOperator<String> env = env(Map.of("HF_HUB_CACHE", root.toString()));
        Path name = Path.of("Qwen/Qwen3-0.6B");
        assertEquals(repo.resolve("snapshots").resolve(MAIN_COMMIT), HubCache.resolve(name, null, env));
        assertEquals(repo.resolve("snapshots").resolve(TAG_COMMIT), HubCache.resolve(name, "v1", env));
        assertEquals(repo.resolve("snapshots").resolve(TAG_COMMIT), HubCache.resolve(name, TAG_COMMIT, env), "a commit hash");
    }

    @Test
    void anExistingFolderIsNeverLookedUp(@TempDir Path root) throws Exception {
        cache(root);
        Path local = Files.createDirectories(root.resolve("Qwen/Qwen3-0.6B"));
        UnaryOperator<String> env = env(Map.of("HF_HUB_CACHE", root.toString()));
        assertEquals(local, HubCache.resolve(local, null, env));
        InputException e = assertThrows(InputException.class, () -> HubCache.resolve(local, "v1", env));
        assertTrue(e.getMessage().contains("not to a local folder"), e.getMessage());
        assertEquals(Path.of("out"), HubCache.resolve(Path.of("out"), null, env), "not ORG/NAME: left for the caller's error");
        assertFalse(HubCache.isHubName("a/b/c"));
        assertFalse(HubCache.isHubName("../model"));
        assertFalse(HubCache.isHubName("/abs/path"));
        assertTrue(HubCache.isHubName("HuggingFaceTB/SmolLM2-135M-Instruct"));
    }

    @Test
    void aMissingModelNamesTheFolderLookedAtAndHowToFillIt(@TempDir Path root) throws Exception {
        cache(root);
        UnaryOperator<String> env = env(Map.of("HF_HUB_CACHE", root.toString()));
        InputException e = assertThrows(InputException.class, () -> HubCache.resolve(Path.of("Qwen/Qwen3-8B"), null, env));
        assertTrue(e.getMessage().contains(root.resolve("models--Qwen--Qwen3-8B").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("huggingface-cli download Qwen/Qwen3-8B"), e.getMessage());
        InputException rev = assertThrows(InputException.class, () -> HubCache.resolve(Path.of("Qwen/Qwen3-0.6B"), "v2", env));
        assertTrue(rev.getMessage().contains("cached refs: main, v1"), rev.getMessage());
        assertTrue(rev.getMessage().contains("huggingface-cli download Qwen/Qwen3-0.6B --revision v2"), rev.getMessage());
        Files.delete(root.resolve("models--Qwen--Qwen3-0.6B/snapshots").resolve(TAG_COMMIT));
        InputException gone = assertThrows(InputException.class, () -> HubCache.resolve(Path.of("Qwen/Qwen3-0.6B"), "v1", env));
        assertTrue(gone.getMessage().contains("has no snapshot"), gone.getMessage());
    }
}
