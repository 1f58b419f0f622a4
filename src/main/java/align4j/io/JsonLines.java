package align4j.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Writes records as JSON Lines (one compact object per line), atomically: a reader never sees half a file. */
public final class JsonLines {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonLines() {}

    public static void write(Path file, List<? extends JsonNode> records) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (JsonNode r : records) {
            JSON.writeValue(out, r);
            out.write('\n');
        }
        AtomicWrite.write(file, out.toByteArray());
    }
}
