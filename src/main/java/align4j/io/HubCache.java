package align4j.io;

import align4j.InputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Models named as on the Hugging Face Hub ({@code Qwen/Qwen3-0.6B}), found in the local cache exactly as
 * {@code huggingface_hub} lays it out, offline: {@code <cache>/models--Qwen--Qwen3-0.6B/refs/<revision>} holds a
 * commit hash, and {@code snapshots/<hash>/} is the model folder. The cache is {@code HF_HUB_CACHE}, else the legacy
 * {@code HUGGINGFACE_HUB_CACHE}, else {@code HF_HOME/hub}, else {@code XDG_CACHE_HOME/huggingface/hub}, else
 * {@code ~/.cache/huggingface/hub} (huggingface_hub's {@code constants.py}); each variable may also be given as a
 * JVM system property of the same name, which wins. Nothing is ever downloaded.
 *
 * <p>An argument is a hub name only when it is not an existing path and looks like {@code ORG/NAME}
 * (huggingface_hub's repo-id characters), so a local folder always means what it says.
 */
public final class HubCache {
    /** The branch huggingface_hub resolves when no revision is given. */
    public static final String MAIN = "main";
    private static final Pattern REPO_ID = Pattern.compile("[\\w.-]+/[\\w.-]+");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    private HubCache() {
    }

    /** {@code model} as a folder: itself when it exists or is no hub name, else its snapshot for {@code main}. */
    public static Path resolve(Path model) {
        return resolve(model, MAIN);
    }

    /**
     * {@code model} as a folder: itself when it exists or is no hub name (then {@code revision} must be main or
     * null), else the cached snapshot of {@code revision} (a branch or tag under refs/, or a commit hash; null: main).
     */
    public static Path resolve(Path model, String revision) {
        return resolve(model, revision, HubCache::variable);
    }

    /** {@link #resolve(Path, String)} with the environment given (tests). */
    static Path resolve(Path model, String revision, UnaryOperator<String> env) {
        String rev = revision == null || revision.isBlank() ? MAIN : revision.strip();
        if (model == null) {
            return null;
        }
        String name = model.toString().replace('\\', '/');
        if (Files.exists(model) || !isHubName(name)) {
            if (!rev.equals(MAIN)) {
                throw new InputException(model + ": --model-revision " + rev + " applies to models named as on the Hub"
                        + " (ORG/NAME, found in the Hugging Face cache), not to a local folder");
            }
            return model;
        }
        return snapshot(name, rev, cacheRoot(env));
    }

    /** Whether {@code arg} has the shape of a Hub model id, ORG/NAME (not whether such a model exists). */
    public static boolean isHubName(String arg) {
        return REPO_ID.matcher(arg).matches() && !arg.contains("--") && !arg.contains("..")
                && !arg.startsWith(".") && arg.length() <= 96;
    }

    /** The hub cache folder huggingface_hub would use with this environment. */
    static Path cacheRoot(UnaryOperator<String> env) {
        for (String v : new String[] {"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"}) {
            if (set(env.apply(v))) {
                return expandUser(env.apply(v), env);
            }
        }
        if (set(env.apply("HF_HOME"))) {
            return expandUser(env.apply("HF_HOME"), env).resolve("hub");
        }
        String xdg = set(env.apply("XDG_CACHE_HOME")) ? env.apply("XDG_CACHE_HOME") : "~/.cache";
        return expandUser(xdg, env).resolve("huggingface").resolve("hub");
    }

    private static Path snapshot(String repoId, String revision, Path cache) {
        Path repo = cache.resolve("models--" + repoId.replace("/", "--"));
        String fill = "align4j downloads nothing: on a machine with access run `huggingface-cli download " + repoId
                + (revision.equals(MAIN) ? "" : " --revision " + revision) + "` and copy its cache folder"
                + " (HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub) here, or give the model's folder";
        if (!Files.isDirectory(repo)) {
            throw new InputException(repoId + ": no such folder, and not in the Hugging Face cache (looked for " + repo
                    + "). " + fill);
        }
        String commit = revision;
        Path ref = repo.resolve("refs").resolve(revision);
        if (Files.isRegularFile(ref)) {
            try {
                commit = Files.readString(ref).strip();
            } catch (IOException e) {
                throw new InputException(ref + ": cannot read: " + e.getMessage(), e);
            }
        } else if (!COMMIT.matcher(revision).matches()) {
            throw new InputException(repoId + ": revision '" + revision + "' is not in the Hugging Face cache (no " + ref
                    + "; cached refs: " + refs(repo.resolve("refs")) + "). " + fill);
        }
        Path snap = repo.resolve("snapshots").resolve(commit);
        if (!Files.isDirectory(snap)) {
            throw new InputException(repoId + ": revision '" + revision + "' (commit " + commit + ") has no snapshot in the"
                    + " Hugging Face cache (no " + snap + "; an interrupted download?). " + fill);
        }
        return snap;
    }

    private static String refs(Path dir) {
        if (!Files.isDirectory(dir)) {
            return "none";
        }
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(Files::isRegularFile).forEach(f -> names.add(dir.relativize(f).toString().replace('\\', '/')));
        } catch (IOException e) {
            return "unreadable";
        }
        names.sort(null);
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    private static Path expandUser(String path, UnaryOperator<String> env) {
        if (path.equals("~") || path.startsWith("~/")) {
            String home = set(env.apply("HOME")) ? env.apply("HOME") : System.getProperty("user.home");
            return Path.of(home + path.substring(1));
        }
        return Path.of(path);
    }

    private static boolean set(String v) {
        return v != null && !v.isEmpty();
    }

    private static String variable(String name) {
        String p = System.getProperty(name);
        return p != null ? p : System.getenv(name);
    }
}
