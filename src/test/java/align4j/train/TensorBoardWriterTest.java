package align4j.train;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TensorBoardWriter} against published bytes and an independent reader ({@link EventFile}): its own
 * table-free CRC32C, its own TFRecord and protobuf decoding.
 */
public class TensorBoardWriterTest {
    @TempDir
    Path dir;

    /**
     * An independent reader of TensorBoard event files: TFRecord framing (both masked CRC32Cs checked with a bitwise
     * Castagnoli CRC written here), then the Event protobuf decoded field by field.
     */
    public static final class EventFile {
        private EventFile() {}

        public record Value(String tag, float simpleValue) {}

        /** sessionStatus: SessionLog.status when the event is a session_log (1 = START), else -1. */
        public record Event(double wallTime, long step, String fileVersion, List<Value> values, int sessionStatus) {}

        /** A scalar as TensorBoard shows it: tag, step, value, wall time. */
        public record Scalar(String tag, long step, float value, double wallTime) {}

        /** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), one bit at a time. */
        public static int crc32c(byte[] b, int off, int len) {
            int crc = 0xFFFFFFFF;
            for (int i = off; i < off + len; i++) {
                crc ^= b[i] & 0xFF;
                for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x82F63B78 : crc >>> 1;
            }
            return ~crc;
        }

        /** TFRecord's mask, in 64-bit arithmetic taken mod 2³². */
        public static int mask(int crc) {
            long c = crc & 0xFFFFFFFFL;
            long rotated = ((c >>> 15) | (c << 17)) & 0xFFFFFFFFL;
            return (int) ((rotated + 0xA282EAD8L) & 0xFFFFFFFFL);
        }

        public static List<Event> read(Path file) throws IOException {
            return read(Files.readAllBytes(file), file.toString());
        }

        public static List<Event> read(byte[] b, String name) {
            List<Event> events = new ArrayList<>();
            int pos = 0;
            while (pos < b.length) {
                assertTrue(pos + 12 <= b.length, name + ": a record header is cut short at byte " + pos);
                long length = le(b, pos, 8);
                assertEquals(mask(crc32c(b, pos, 8)), (int) le(b, pos + 8, 4), name + ": length CRC at byte " + pos);
                int data = pos + 12;
                assertTrue(length >= 0 && data + length + 4 <= b.length, name + ": record at byte " + pos + " overruns the file");
                int n = (int) length;
                assertEquals(mask(crc32c(b, data, n)), (int) le(b, data + n, 4), name + ": data CRC at byte " + pos);
                events.add(event(b, data, data + n));
                pos = data + n + 4;
            }
            return events;
        }

        /**
         * The scalars of a run folder as TensorBoard loads them: its event files in name order, a session_log START
         * at step s dropping what came before at steps ≥ s (TensorBoard's purge of orphaned data).
         */
        public static List<Scalar> scalars(Path runDir) throws IOException {
            List<Scalar> out = new ArrayList<>();
            for (Path f : eventFiles(runDir)) {
                List<Event> events = read(f);
                assertEquals("brain.Event:2", events.get(0).fileVersion(), f + ": the first event is the file version");
                for (Event e : events) {
                    if (e.sessionStatus() == 1) out.removeIf(s -> s.step() >= e.step());
                    for (Value v : e.values()) out.add(new Scalar(v.tag(), e.step(), v.simpleValue(), e.wallTime()));
                }
            }
            return out;
        }

        public static List<Path> eventFiles(Path runDir) throws IOException {
            try (Stream<Path> s = Files.list(runDir)) {
                return s.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.")).sorted().toList();
            }
        }

        private static long le(byte[] b, int off, int n) {
            long v = 0;
            for (int i = n - 1; i >= 0; i--) v = (v << 8) | (b[off + i] & 0xFF);
            return v;
        }

        private static Event event(byte[] b, int from, int to) {
            double wallTime = 0;
            long step = 0;
            String fileVersion = null;
            List<Value> values = new ArrayList<>();
            int session = -1;
            for (Field f : fields(b, from, to)) {
                switch (f.number) {
                    case 1 -> wallTime = Double.longBitsToDouble(f.fixed(1));
                    case 2 -> step = f.varint();
                    case 3 -> fileVersion = f.string();
                    case 5 -> {
                        for (Field v : fields(b, f.start, f.end)) {
                            if (v.number != 1) continue; // Summary.value
                            String tag = null;
                            Float simple = null;
                            for (Field x : fields(b, v.start, v.end)) {
                                if (x.number == 1) tag = x.string();
                                if (x.number == 2) simple = Float.intBitsToFloat((int) x.fixed(5));
                            }
                            assertNotNull(tag, "a Summary.Value without a tag");
                            assertNotNull(simple, tag + ": not a simple_value");
                            values.add(new Value(tag, simple));
                        }
                    }
                    case 7 -> {
                        session = 0;
                        for (Field x : fields(b, f.start, f.end)) if (x.number == 1) session = (int) x.varint();
                    }
                    default -> { }
                }
            }
            return new Event(wallTime, step, fileVersion, values, session);
        }

        /** A decoded protobuf field: its number, wire type, and its value (varint/fixed) or byte range (length-delimited). */
        private record Field(byte[] b, int number, int wire, long value, int start, int end) {
            long varint() {
                assertEquals(0, wire, "field " + number + " is not a varint");
                return value;
            }

            long fixed(int expectedWire) {
                assertEquals(expectedWire, wire, "field " + number + " has wire type " + wire);
                return value;
            }

            String string() {
                assertEquals(2, wire, "field " + number + " is not length-delimited");
                return new String(b, start, end - start, StandardCharsets.UTF_8);
            }
        }

        private static List<Field> fields(byte[] b, int from, int to) {
            List<Field> out = new ArrayList<>();
            int[] pos = {from};
            while (pos[0] < to) {
                long key = varint(b, pos, to);
                int number = (int) (key >>> 3), wire = (int) (key & 7);
                switch (wire) {
                    case 0 -> out.add(new Field(b, number, wire, varint(b, pos, to), 0, 0));
                    case 1 -> {
                        out.add(new Field(b, number, wire, le(b, pos[0], 8), 0, 0));
                        pos[0] += 8;
                    }
                    case 5 -> {
                        out.add(new Field(b, number, wire, le(b, pos[0], 4), 0, 0));
                        pos[0] += 4;
                    }
                    case 2 -> {
                        int len = (int) varint(b, pos, to);
                        out.add(new Field(b, number, wire, 0, pos[0], pos[0] + len));
                        pos[0] += len;
                    }
                    default -> fail("wire type " + wire + " at byte " + pos[0]);
                }
                assertTrue(pos[0] <= to, "a field overruns its message");
            }
            return out;
        }

        private static long varint(byte[] b, int[] pos, int to) {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                assertTrue(pos[0] < to, "a varint is cut short");
                int x = b[pos[0]++] & 0xFF;
                v |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) return v;
            }
            throw new AssertionError("a varint longer than 10 bytes");
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void crc32cMatchesPublishedCheckValues() {
        // the CRC catalogue's check value and RFC 3720 (iSCSI) appendix B.4
        assertEquals(0xE3069283, EventFile.crc32c(ascii("123456789"), 0, 9));
        assertEquals(0x8A9136AA, EventFile.crc32c(new byte[32], 0, 32));
        byte[] ones = new byte[32], up = new byte[32];
        for (int i = 0; i < 32; i++) {
            ones[i] = (byte) 0xFF;
            up[i] = (byte) i;
        }
        assertEquals(0x62A8AB43, EventFile.crc32c(ones, 0, 32));
        assertEquals(0x46DD794E, EventFile.crc32c(up, 0, 32));
        // the writer's masked CRC32C (java.util.zip.CRC32C) against the independent one
        assertEquals(EventFile.mask(0xE3069283), TensorBoardWriter.maskedCrc32c(ascii("123456789"), 0, 9));
        assertEquals(0xC78AB0E5, TensorBoardWriter.maskedCrc32c(ascii("123456789"), 0, 9));
        for (byte[] b : List.of(ones, up, new byte[0], ascii("brain.Event:2"))) {
            assertEquals(EventFile.mask(EventFile.crc32c(b, 0, b.length)), TensorBoardWriter.maskedCrc32c(b, 0, b.length));
        }
        // every event file starts with the masked CRC of the length 24: a3 7f 4b 22 (TensorFlow's event_file_loader_test)
        byte[] len24 = {24, 0, 0, 0, 0, 0, 0, 0};
        assertEquals(0x224B7FA3, TensorBoardWriter.maskedCrc32c(len24, 0, 8));
    }

    /**
     * Byte for byte the records TensorFlow's protobuf wrote in tensorboard_logger's test_serialization (wall time
     * 256.5: the file version, "v/1" = 1.5 at step 1, "v/22" = 16 at step 2) and TensorFlow's event_file_loader_test.
     */
    @Test
    void recordsEqualPublishedEventFileBytes() {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(TensorBoardWriter.record(TensorBoardWriter.fileVersionEvent(256.5, 0)));
        o.writeBytes(TensorBoardWriter.record(TensorBoardWriter.scalarEvent(256.5, 1, "v/1", 1.5f)));
        o.writeBytes(TensorBoardWriter.record(TensorBoardWriter.scalarEvent(256.5, 2, "v/22", 16f)));
        byte[] expected = ascii("\u0018\0\0\0\0\0\0\0\u00a3\u007fK\"\t\0\0\0\0\0\u0008p@\u001a\rbrain.Event:2\u00bc\u0098!+"
                + "\u0019\0\0\0\0\0\0\0\u008b\u00f1\u0008(\t\0\0\0\0\0\u0008p@\u0010\u0001*\u000c\n\n\n\u0003v/1\u0015\0\0\u00c0?,\u00ec\u00c0\u0087"
                + "\u001a\0\0\0\0\0\0\0\u0012\u009b\u00d8-\t\0\0\0\0\0\u0008p@\u0010\u0002*\r\n\u000b\n\u0004v/22\u0015\0\0\u0080A\u008f\u00a3\u00b6\u0088");
        assertArrayEquals(expected, o.toByteArray());

        byte[] tf = ascii("\u0018\0\0\0\0\0\0\0\u00a3\u007fK\"\t\0\0\0'\u00e6\u00b3\u00d5A\u001a\rbrain.Event:2jM\u000b\u0015");
        List<EventFile.Event> e = EventFile.read(tf, "event_file_loader_test");
        assertEquals("brain.Event:2", e.get(0).fileVersion());
        assertArrayEquals(tf, TensorBoardWriter.record(TensorBoardWriter.fileVersionEvent(e.get(0).wallTime(), 0)));
    }

    @Test
    void aFileReadsBackWithItsScalarsStepsAndWallTimes() throws Exception {
        double before = System.currentTimeMillis() / 1000.0;
        Path file;
        try (TensorBoardWriter w = TensorBoardWriter.open(dir.resolve("logs"), 0)) {
            w.scalar("train/loss", 0.6931471805599453, 1);
            w.scalar("train/rewards/chosen", -1e-3, 1);
            w.scalar("eval/loss", 0.5, 2);
            w.scalar("train/big_step", 1.0, 1L << 40);
            file = w.file();
        }
        double after = System.currentTimeMillis() / 1000.0;
        String name = file.getFileName().toString();
        String pid = Long.toString(ProcessHandle.current().pid());
        assertTrue(name.matches("events\\.out\\.tfevents\\.\\d{10}\\..+\\." + pid + "\\.\\d+"), name);
        assertTrue(name.contains("." + TensorBoardWriter.hostname() + "." + pid + "."), name);
        List<EventFile.Event> ev = EventFile.read(file);
        assertEquals(5, ev.size());
        assertEquals("brain.Event:2", ev.get(0).fileVersion());
        assertEquals(new EventFile.Value("train/loss", (float) 0.6931471805599453), ev.get(1).values().get(0));
        assertEquals(1, ev.get(1).step());
        assertEquals(-1e-3f, ev.get(2).values().get(0).simpleValue());
        assertEquals(2, ev.get(3).step());
        assertEquals(1L << 40, ev.get(4).step());
        for (int i = 0; i < ev.size(); i++) {
            double t = ev.get(i).wallTime();
            assertTrue(t >= before - 1 && t <= after + 1, "wall time " + t);
            if (i > 0) assertTrue(t >= ev.get(i - 1).wallTime(), "wall times in order");
        }
        // the reader does check both CRCs: one flipped bit in a length or in a tag is caught
        byte[] bytes = Files.readAllBytes(file);
        int second = 12 + 24 + 4; // after the 24-byte file_version record
        for (int at : new int[] {second, second + 12 + 16}) {
            byte[] bad = bytes.clone();
            bad[at] ^= 0x04;
            assertThrows(AssertionError.class, () -> EventFile.read(bad, "corrupted"), "flipped byte " + at);
        }
    }

    @Test
    void aResumedRunAddsAFileReadAfterTheFirstThatPurgesTheStepsAfterItsCheckpoint() throws Exception {
        Path logs = dir.resolve("logs");
        try (TensorBoardWriter w = TensorBoardWriter.open(logs, 0)) {
            for (int s = 1; s <= 4; s++) w.scalar("train/loss", s, s);
        }
        try (TensorBoardWriter w = TensorBoardWriter.open(logs, 3)) {
            w.scalar("train/loss", 30, 3);
        }
        List<Path> files = EventFile.eventFiles(logs);
        assertEquals(2, files.size(), "a new file, the first left as it was");
        List<EventFile.Event> second = EventFile.read(files.get(1));
        assertEquals(3, second.get(1).step());
        assertEquals(1, second.get(1).sessionStatus(), "session_log START at the first resumed step");
        List<String> seen = EventFile.scalars(logs).stream().map(s -> s.step() + "=" + s.value()).toList();
        assertEquals(List.of("1=1.0", "2=2.0", "3=30.0"), seen);
    }

    @Test
    void metricsLogWritesEachLineAsScalarsWithHfTags() throws Exception {
        Path logs = dir.resolve("tb");
        try (MetricsLog log = MetricsLog.create(dir.resolve("metrics.jsonl")).reportingTo(TensorBoardWriter.open(logs, 0))) {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("loss", 0.69);
            m.put("rewards/accuracies", 0.75);
            log.logTrain(10, 0.5, 1e-6, 1.25, m);
            log.log(10, 0.5, Map.of("eval_loss", 0.6));
        }
        List<String> got = EventFile.scalars(logs).stream().map(s -> s.tag() + "@" + s.step() + "=" + s.value()).toList();
        assertEquals(List.of("train/loss@10=0.69", "train/rewards/accuracies@10=0.75", "train/grad_norm@10=1.25",
                "train/learning_rate@10=1.0E-6", "train/epoch@10=0.5", "eval/loss@10=0.6", "train/epoch@10=0.5"), got);
        assertEquals("test/x", MetricsLog.tensorBoardTag("test_x"));
    }

    @Test
    void defaultLogDirIsHfsRunsTimeHost() {
        Path d = TensorBoardWriter.defaultLogDir(Path.of("out"));
        assertEquals(Path.of("out", "runs"), d.getParent());
        assertTrue(d.getFileName().toString().matches("[A-Z][a-z]{2}\\d{2}_\\d{2}-\\d{2}-\\d{2}_" + java.util.regex.Pattern.quote(TensorBoardWriter.hostname())),
                d.toString());
    }

    @Test
    void reportToIsNoneByDefaultAndChecked() {
        TrainingArgs a = TrainingArgs.defaults(Path.of("out"));
        assertEquals("none", a.reportTo());
        assertNull(a.loggingDir());
        assertFalse(a.reportsToTensorBoard());
        assertTrue(a.withReportTo("tensorboard").reportsToTensorBoard());
        assertTrue(a.withReportTo("all").reportsToTensorBoard());
        assertEquals(Path.of("tb"), a.withLoggingDir(Path.of("tb")).loggingDir());
        var e = assertThrows(align4j.InputException.class, () -> a.withReportTo("wandb"));
        assertTrue(e.getMessage().contains("report_to"), e.getMessage());
    }
}
