package align4j.cli;

import align4j.api.Policy;
import align4j.api.Samples;
import align4j.api.Sampling;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What the commands that sample a policy to compare its samples share (collect, best-of-n, winrate): the policy, the prompts,
 * the output file, how to sample, how to label, and the engine's threads.
 */
final class PolicySamplesOptions {
    @Option(names = "--policy", required = true, paramLabel = "DIR", description = "The model to sample from.")
    Path policy;
    @Option(names = "--prompts", required = true, paramLabel = "FILE", description = "JSONL records with prompt (text or messages), messages or prompt_input_ids.")
    Path prompts;
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output file (see the command's description).")
    Path out;
    @Mixin
    SamplingOptions sampling;
    @Mixin
    LabelOptions labels;
    @Mixin
    ThreadsOption threads;

    /** n samples per prompt (checked first; nFlag names n in errors), progress lines labelled by command. */
    Samples draw(int n, String nFlag, String command) throws IOException {
        return Sampling.draw(Policy.load(policy), prompts, sampling.comparable(n, nFlag), sampling.seed, sampling.batchSize, command);
    }
}
