package align4j.cli;

import align4j.quickstart.Quickstart;
import align4j.quickstart.QuickstartReport;
import align4j.quickstart.QuickstartSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code align4j quickstart}: the built-in experiment (docs/quickstart.md), a miniature of the DPO paper's
 * controlled-sentiment reward–KL frontier with nothing downloaded. Writes report.html (the chart),
 * summary.json and the SFT model folder under --output-dir, and prints the table.
 */
@Command(name = "quickstart", description = "Run the built-in experiment: SFT, DPO, PPO, best-of-N and preferred-FT on "
        + "generated film reviews, scored by a gold sentiment reward; writes report.html and summary.json.")
final class QuickstartCommand implements Callable<Integer> {
    @Option(names = "--output-dir", defaultValue = "quickstart-out", paramLabel = "DIR",
            description = "Where report.html, summary.json, the SFT model and run logs go (default: ${DEFAULT-VALUE}).")
    Path outputDir;
    @Option(names = "--seed", defaultValue = "0", description = "Seed of every random choice (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--tiny", hidden = true, description = "Tiny sizes (seconds): for tests.")
    boolean tiny;
    @Mixin
    ThreadsOption threadsOption;

    @Override
    public Integer call() throws IOException {
        // One thread unless asked: the 0.1 M-parameter model's matrices are too small for threads to pay. On the
        // shared 2-core machine the experiment took 56 s on 1 thread and 158 s on 2, with identical results.
        if (threadsOption.threads == null) align4j.tensor.Parallel.setThreads(1);
        threadsOption.apply();
        QuickstartSettings settings = tiny ? QuickstartSettings.tiny(seed) : QuickstartSettings.full(seed);
        Quickstart.Outcome outcome = new Quickstart(settings, outputDir, System.err).run();
        QuickstartReport.write(outcome, outputDir);
        System.out.print(QuickstartReport.table(outcome));
        System.out.println("report: " + outputDir.resolve("report.html") + "   summary: " + outputDir.resolve("summary.json"));
        return 0;
    }
}
