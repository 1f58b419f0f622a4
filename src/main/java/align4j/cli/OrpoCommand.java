package align4j.cli;

import align4j.api.Orpo;
import align4j.api.Policy;
import align4j.data.Pairs;
import align4j.train.OrpoConfig;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code align4j orpo}: flags of {@link OrpoConfig} and {@link TrainingArgs} → {@link Orpo#train} → the saved model. */
@Command(name = "orpo", description = "Train a model with ORPO (NLL plus an odds-ratio term, no reference model) on preference pairs.")
final class OrpoCommand implements Callable<Integer> {
    @Mixin
    SupervisedOptions job;
    @Mixin
    OrpoOptions loss;
    @Mixin
    DataOptions data;

    @Override
    public Integer call() throws IOException {
        TrainingArgs args = job.start();
        OrpoConfig cfg = loss.config();
        Policy policy = job.policy(data.tokenizer, args);
        Pairs[] sets = job.pairs("orpo", data, policy, args);
        return job.finish("orpo", policy, args, sets[0], sets[1], p -> Orpo.evaluate(policy, cfg, args, p),
                (t, e) -> Orpo.train(policy, cfg, args, t, e));
    }
}
