package align4j.text;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** The real tokenizers committed under src/test/resources/text (tokenizer.json gzipped), unpacked once per JVM. */
public final class TextFixtures {
    public static final Path TEXT = Path.of("src/test/resources/text");
    private static final Map<String, Path> DIRS = new HashMap<>();
    private static final Map<String, Tokenizer> TOKENIZERS = new HashMap<>();

    private TextFixtures() {
    }

    public static synchronized Path tokenizerDir(String name) {
        return DIRS.computeIfAbsent(name, n -> {
            try {
                Path base = Path.of(System.getProperty("java.io.tmpdir"));
                Files.createDirectories(base);
                Path dir = Files.createTempDirectory(base, "tokenizer-" + n);
                try (var files = Files.list(TEXT.resolve(n))) {
                    for (Path f : files.toList()) {
                        String file = f.getFileName().toString();
                        if (file.endsWith(".gz")) {
                            try (InputStream in = new GZIPInputStream(Files.newInputStream(f))) {
                                Files.copy(in, dir.resolve(file.substring(0, file.length() - 3)));
                            }
                        } else {
                            Files.copy(f, dir.resolve(file));
                        }
                    }
                }
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** A shared tokenizer (tests never close it; the JVM does). */
    public static synchronized Tokenizer tokenizer(String name) {
        return TOKENIZERS.computeIfAbsent(name, n -> Tokenizer.load(tokenizerDir(n)));
    }
}
