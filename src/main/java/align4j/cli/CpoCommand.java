package align4j.cli;

import align4j.api.Cpo;
import align4j.api.Policy;
import align4j.data.Pairs;
import align4j.train.CpoConfig;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code align4j cpo}: flags of {@link CpoConfig} and {@link TrainingArgs} → {@link Cpo#train} → the saved model. */
@Command(name = "cpo", description = "Train a model with CPO or SimPO (--loss-type simpo; no reference model) on preference pairs.")
final class CpoCommand implements Callable<Integer> {
    @Mixin
    SupervisedOptions job;
    @Mixin
    CpoOptions loss;
    @Mixin
    DataOptions data;

    @Override
    public Integer call() throws IOException {
        TrainingArgs args = job.start();
        CpoConfig cfg = loss.config();
        Policy policy = job.policy(data.tokenizer, args);
        Pairs[] sets = job.pairs("cpo", data, policy, args);
        return job.finish("cpo", policy, args, sets[0], sets[1], p -> Cpo.evaluate(policy, cfg, args, p),
                (t, e) -> Cpo.train(policy, cfg, args, t, e));
    }
}
