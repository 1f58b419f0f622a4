package align4j.cli;

import align4j.api.Policy;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --ref-model} of the trainers that hold a reference (dpo, kto): without it, the policy's starting weights. */
final class ReferenceOption {
    @Option(names = "--ref-model", paramLabel = "DIR", description = "Reference model folder (default: the policy's starting weights).")
    Path refModel;

    /** The --ref-model folder, frozen (bf16 when the policy's frozen weights are), or null when absent or not needed. */
    Policy load(SupervisedOptions job, boolean needed) throws IOException {
        return refModel == null || !needed ? null : Policy.loadFrozen(refModel, job.modelOptions.bf16());
    }
}
