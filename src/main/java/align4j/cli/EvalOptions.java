package align4j.cli;

import align4j.InputException;
import align4j.data.PreferenceData;
import align4j.train.TrainLoop;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import picocli.CommandLine.Option;

/** Where a training command's eval_ metrics come from (TRL's eval_dataset, or a held-out part of the training data). */
final class EvalOptions {
    @Option(names = "--eval-dataset", paramLabel = "FILE", description = "Held-out data for eval_ metrics, in --dataset's format.")
    Path evalDataset;
    @Option(names = "--eval-split", defaultValue = "0", description = "Hold out this fraction of --dataset for evaluation when no --eval-dataset is given.")
    double evalSplit;

    /** Whether part of the training data is held out: --eval-split > 0 and no --eval-dataset. */
    boolean holdsOut() {
        if (evalDataset != null || evalSplit <= 0) return false;
        if (evalSplit >= 1) throw new InputException("--eval-split must be in [0, 1), got " + evalSplit);
        return true;
    }

    /** {training indices, held-out indices} of n examples: the last ⌈evalSplit·n⌉ of a seeded shuffle are held out. */
    int[][] split(int n, long seed) {
        int e = Math.max(1, (int) Math.ceil(evalSplit * n));
        if (e >= n) throw new InputException("--eval-split " + evalSplit + " leaves no training examples (" + n + " in --dataset)");
        int[] perm = TrainLoop.DataOrder.shuffle(n, new SplittableRandom(seed));
        return new int[][] {Arrays.copyOfRange(perm, 0, n - e), Arrays.copyOfRange(perm, n - e, n)};
    }

    /**
     * {train, eval} data of a training command: the dataset, and --eval-dataset read the same way or the
     * --eval-split fraction held out of the dataset; eval is null without either.
     */
    PreferenceData[] data(String command, DataOptions data, Path dataset, Path tokenizerDir, int vocab, long seed) {
        PreferenceData train = data.load(dataset, tokenizerDir, vocab), eval = null;
        System.err.println(command + ": dataset: " + train.report());
        if (evalDataset != null) {
            eval = data.load(evalDataset, tokenizerDir, vocab);
            System.err.println(command + ": eval dataset: " + eval.report());
        } else if (holdsOut()) {
            int[][] idx = split(train.pairs().size(), seed);
            eval = train.select(idx[1]);
            train = train.select(idx[0]);
        }
        return new PreferenceData[] {train, eval};
    }

    /** The end of an --eval-only run: eval_results.json, and each metric printed. */
    static void report(Path outputDir, Map<String, Double> metrics) throws IOException {
        writeResults(outputDir, metrics);
        metrics.forEach((k, v) -> System.out.printf("%-28s %.6f%n", k, v));
    }

    /** Writes outputDir/eval_results.json (as transformers' Trainer saves it): the eval_ entries of metrics, in order. */
    static void writeResults(Path outputDir, Map<String, Double> metrics) throws IOException {
        Map<String, Double> ev = new LinkedHashMap<>();
        metrics.forEach((k, v) -> { if (k.startsWith("eval_")) ev.put(k, v); });
        Files.createDirectories(outputDir);
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(outputDir.resolve("eval_results.json").toFile(), ev);
    }
}
