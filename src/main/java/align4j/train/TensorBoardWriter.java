package align4j.train;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * A TensorBoard event file ({@code --report-to tensorboard}), written as {@code torch.utils.tensorboard}'s
 * {@code SummaryWriter} writes it for Hugging Face's {@code TensorBoardCallback}: a file
 * {@code events.out.tfevents.<seconds>.<host>.<pid>.<n>} in the log folder, holding TFRecord records (uint64
 * length, masked CRC32C of those 8 bytes, the data, masked CRC32C of the data; little-endian; mask =
 * ((crc >>> 15) | (crc << 17)) + 0xa282ead8) around {@code Event} protobuf messages: first one with
 * {@code file_version} "brain.Event:2", then one per scalar ({@code wall_time} = 1, {@code step} = 2,
 * {@code summary} = 5 holding one {@code Summary.Value} {@code {tag = 1, simple_value = 2}}). The protobuf
 * encoding is written here by hand (varints, fixed64, fixed32, length-delimited fields); no dependency.
 *
 * <p>A resumed run opens a new file in the same folder, and its first events include a {@code session_log} START
 * (field 7) at the first step it will log, which tells TensorBoard to drop what the interrupted run logged
 * after its checkpoint (torch's {@code SummaryWriter(purge_step=…)}); metrics.jsonl drops the same lines.
 */
public final class TensorBoardWriter implements Closeable {
    /** The first event of every file, as TensorFlow's and torch's writers set it. */
    static final String FILE_VERSION = "brain.Event:2";
    /** tensorboard's {@code _global_uid}: the last part of a file name, counting the files this process opened. */
    private static final AtomicInteger UID = new AtomicInteger();
    private static final Pattern EVENT_FILE = Pattern.compile("events\\.out\\.tfevents\\.(\\d+)\\..*");

    private final Path file;
    private final OutputStream out;

    private TensorBoardWriter(Path file, OutputStream out) {
        this.file = file;
        this.out = out;
    }

    /**
     * Opens a new event file in dir (created if missing) and writes its file_version event; a purgeStep &gt; 0
     * (a resumed run: the checkpoint's step + 1) is also written as a session_log START at that step. The
     * seconds in the name are now, or one more than the newest event file already in dir when that is not
     * earlier, so TensorBoard, which reads a folder's files in name order, reads this one last.
     */
    public static TensorBoardWriter open(Path dir, long purgeStep) throws IOException {
        Files.createDirectories(dir);
        Instant now = Instant.now();
        long seconds = Math.max(now.getEpochSecond(), newestSeconds(dir) + 1);
        String name = String.format(Locale.ROOT, "events.out.tfevents.%010d.%s.%d.%d", seconds, hostname(),
                ProcessHandle.current().pid(), UID.getAndIncrement());
        Path file = dir.resolve(name);
        OutputStream out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE));
        TensorBoardWriter w = new TensorBoardWriter(file, out);
        try {
            out.write(record(fileVersionEvent(wallTime(now), Math.max(purgeStep, 0))));
            if (purgeStep > 0) out.write(record(sessionStartEvent(wallTime(Instant.now()), purgeStep)));
            out.flush();
        } catch (IOException e) {
            out.close();
            throw e;
        }
        return w;
    }

    /**
     * Hugging Face's default logging_dir: {@code <outputDir>/runs/<%b%d_%H-%M-%S>_<host>} in local time
     * ({@code transformers.training_args.default_logdir}, e.g. {@code runs/Dec04_16-46-37_myhost}).
     */
    public static Path defaultLogDir(Path outputDir) {
        String time = LocalDateTime.now().format(DateTimeFormatter.ofPattern("MMMdd_HH-mm-ss", Locale.ENGLISH));
        return outputDir.resolve("runs").resolve(time + "_" + hostname());
    }

    /** The newest folder under outputDir/runs/ holding an event file (by its files' names), or null. */
    public static Path latestLogDir(Path outputDir) throws IOException {
        Path runs = outputDir.resolve("runs");
        if (!Files.isDirectory(runs)) return null;
        Path best = null;
        long bestSeconds = -1;
        try (Stream<Path> dirs = Files.list(runs)) {
            for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
                long s = newestSeconds(d);
                if (s >= 0 && s >= bestSeconds) {
                    best = d;
                    bestSeconds = s;
                }
            }
        }
        return best;
    }

    /** The largest seconds field of the event files' names in dir, or -1 when it has none. */
    private static long newestSeconds(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return -1;
        long newest = -1;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Matcher m = EVENT_FILE.matcher(f.getFileName().toString());
                if (m.matches()) {
                    try {
                        newest = Math.max(newest, Long.parseLong(m.group(1)));
                    } catch (NumberFormatException ignored) {
                        // not a name TensorBoard's writers make: ignore it
                    }
                }
            }
        }
        return newest;
    }

    /** Python's {@code socket.gethostname()}: the kernel's host name, else the JDK's idea of it. */
    static String hostname() {
        try {
            Path p = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(p)) {
                String h = Files.readString(p).strip();
                if (!h.isEmpty()) return h;
            }
        } catch (IOException | RuntimeException ignored) {
            // fall through
        }
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) return env.strip();
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    public Path file() {
        return file;
    }

    /** One scalar event: tag, value (stored as float32, TensorBoard's simple_value), step, wall time now. */
    public void scalar(String tag, double value, long step) {
        try {
            out.write(record(scalarEvent(wallTime(Instant.now()), step, tag, (float) value)));
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write " + file + ": " + ex.getMessage(), ex);
        }
    }

    /** Pushes what was written to the file (HF's callback flushes after each log). */
    public void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /** One TFRecord: uint64 length, masked CRC32C of the length's 8 bytes, data, masked CRC32C of data (little-endian). */
    static byte[] record(byte[] data) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(data.length + 16);
        fixed64(o, data.length);
        byte[] len = o.toByteArray();
        fixed32(o, maskedCrc32c(len, 0, 8));
        o.writeBytes(data);
        fixed32(o, maskedCrc32c(data, 0, data.length));
        return o.toByteArray();
    }

    /** Event{wall_time, step, file_version = "brain.Event:2"}. */
    static byte[] fileVersionEvent(double wallTime, long step) {
        ByteArrayOutputStream e = event(wallTime, step);
        stringField(e, 3, FILE_VERSION);
        return e.toByteArray();
    }

    /** Event{wall_time, step, summary = Summary{value = [Value{tag, simple_value}]}}. */
    static byte[] scalarEvent(double wallTime, long step, String tag, float value) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        stringField(v, 1, tag);
        tag(v, 2, 5);
        fixed32(v, Float.floatToRawIntBits(value));
        ByteArrayOutputStream summary = new ByteArrayOutputStream();
        bytesField(summary, 1, v.toByteArray());
        ByteArrayOutputStream e = event(wallTime, step);
        bytesField(e, 5, summary.toByteArray());
        return e.toByteArray();
    }

    /** Event{wall_time, step, session_log = SessionLog{status = START}}: TensorBoard drops earlier events at ≥ step. */
    static byte[] sessionStartEvent(double wallTime, long step) {
        ByteArrayOutputStream sessionLog = new ByteArrayOutputStream();
        tag(sessionLog, 1, 0);
        varint(sessionLog, 1); // SessionStatus.START
        ByteArrayOutputStream e = event(wallTime, step);
        bytesField(e, 7, sessionLog.toByteArray());
        return e.toByteArray();
    }

    /** TFRecord's masked CRC32C (Castagnoli) of b[off, off + len). */
    static int maskedCrc32c(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return mask((int) c.getValue());
    }

    /** TFRecord's mask: rotate right by 15 bits and add 0xa282ead8 (mod 2³²). */
    static int mask(int crc) {
        return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
    }

    private static double wallTime(Instant t) {
        return t.getEpochSecond() + t.getNano() / 1e9;
    }

    /** An Event begun with wall_time (field 1) and step (field 2, omitted when 0 as protobuf does). */
    private static ByteArrayOutputStream event(double wallTime, long step) {
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        tag(e, 1, 1);
        fixed64(e, Double.doubleToRawLongBits(wallTime));
        if (step != 0) {
            tag(e, 2, 0);
            varint(e, step);
        }
        return e;
    }

    private static void tag(ByteArrayOutputStream o, int field, int wireType) {
        varint(o, ((long) field << 3) | wireType);
    }

    /** Base-128 varint of v as an unsigned 64-bit number (a negative int64 takes ten bytes, as protobuf's). */
    private static void varint(ByteArrayOutputStream o, long v) {
        while ((v & ~0x7FL) != 0) {
            o.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        o.write((int) v);
    }

    private static void fixed64(ByteArrayOutputStream o, long v) {
        for (int i = 0; i < 8; i++) o.write((int) (v >>> (8 * i)));
    }

    private static void fixed32(ByteArrayOutputStream o, int v) {
        for (int i = 0; i < 4; i++) o.write(v >>> (8 * i));
    }

    private static void stringField(ByteArrayOutputStream o, int field, String s) {
        bytesField(o, field, s.getBytes(StandardCharsets.UTF_8));
    }

    private static void bytesField(ByteArrayOutputStream o, int field, byte[] b) {
        tag(o, field, 2);
        varint(o, b.length);
        o.writeBytes(b);
    }
}
