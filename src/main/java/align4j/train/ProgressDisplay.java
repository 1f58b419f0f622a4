package align4j.train;

import java.io.Console;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Training progress on the console: steps done out of the total, ETA, the latest loss and tokens/s.
 * On a terminal it is a redrawn progress bar (me.tongfei:progressbar); otherwise (a log file, CI) the
 * same text is printed in ASCII as one plain line per interval, because the bar's carriage-return
 * redraws and colour codes would pile up into one endless line in a log file.
 */
public final class ProgressDisplay implements AutoCloseable {
    /** Plain-line interval when the output is not a terminal. */
    public static final int PLAIN_INTERVAL_MILLIS = 10_000;

    private final ProgressBar bar;
    private final long startNanos = System.nanoTime();
    private long tokens;

    private ProgressDisplay(ProgressBar bar) {
        this.bar = bar;
    }

    /** True when stdout and stderr are a terminal ({@code System.console()} exists and is one). */
    public static boolean onTerminal() {
        Console c = System.console();
        return c != null && c.isTerminal();
    }

    /**
     * A display for {@code totalSteps} optimizer steps starting at {@code startStep} (after a resume):
     * a bar on a terminal, plain lines to stderr every {@value #PLAIN_INTERVAL_MILLIS} ms otherwise.
     */
    public static ProgressDisplay open(String task, long totalSteps, long startStep) {
        if (onTerminal()) return new ProgressDisplay(builder(task, totalSteps, startStep).build());
        return plain(task, totalSteps, startStep, System.err::println, PLAIN_INTERVAL_MILLIS);
    }

    /** Plain lines to {@code sink} every {@code intervalMillis}, and one final line on close. */
    public static ProgressDisplay plain(String task, long totalSteps, long startStep, Consumer<String> sink,
                                        int intervalMillis) {
        ProgressBarBuilder b = builder(task, totalSteps, startStep)
                .setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new DelegatingProgressBarConsumer(sink, 120))
                .setUpdateIntervalMillis(intervalMillis);
        return new ProgressDisplay(b.build());
    }

    private static ProgressBarBuilder builder(String task, long totalSteps, long startStep) {
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(totalSteps)
                .startsFrom(startStep, Duration.ZERO);
    }

    /**
     * Records that optimizer step {@code step} is done, having processed {@code stepTokens} tokens
     * (chosen + rejected), with the loss just logged (NaN: none yet).
     */
    public void update(long step, long stepTokens, double loss) {
        tokens += stepTokens;
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        String rate = seconds > 0 ? String.format(Locale.ROOT, "%.0f tok/s", tokens / seconds) : "- tok/s";
        String msg = Double.isNaN(loss) ? rate : String.format(Locale.ROOT, "loss %.4f, %s", loss, rate);
        bar.setExtraMessage(msg);
        bar.stepTo(step);
    }

    /** Tokens processed since this display opened. */
    public long tokens() {
        return tokens;
    }

    @Override
    public void close() {
        bar.close();
    }
}
