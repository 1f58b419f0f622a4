package align4j.cli;

import align4j.bench.DpoStepBench;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code align4j bench}: {@link DpoStepBench} on the named shapes, as text or one JSON object per shape. */
@Command(name = "bench", description = "Measure DPO-step tokens/s, matmul GFLOP/s and memory on fixed shapes.")
final class BenchCommand implements Callable<Integer> {
    private static final DpoStepBench.Settings DEFAULTS = DpoStepBench.Settings.defaults();

    @Option(names = "--shape", description = "small, gpt2-small or all (default ${DEFAULT-VALUE}).")
    String shape = "all";
    @Option(names = "--steps", description = "Timed steps per shape (default ${DEFAULT-VALUE}).")
    int steps = DEFAULTS.steps();
    @Option(names = "--warmup", description = "Untimed steps first, as many as scripts/bench_pytorch.py takes (default ${DEFAULT-VALUE}).")
    int warmup = DEFAULTS.warmup();
    @Option(names = "--json", description = "One JSON object per shape on stdout.")
    boolean json;
    @Mixin
    ThreadsOption threadsOption;

    @Override
    public Integer call() throws Exception {
        threadsOption.apply();
        List<DpoStepBench.Shape> shapes = DpoStepBench.shapes(shape);
        DpoStepBench.Settings settings = new DpoStepBench.Settings(steps, warmup);
        ObjectMapper om = new ObjectMapper();
        for (DpoStepBench.Shape s : shapes) {
            DpoStepBench.Result r = DpoStepBench.run(s, settings);
            if (json) System.out.println(om.writeValueAsString(r.toJson()));
            else System.out.print(r.text());
        }
        return 0;
    }
}
