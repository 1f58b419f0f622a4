package align4j.cli;

import align4j.api.Dpo;
import align4j.api.Policy;
import align4j.data.Pairs;
import align4j.train.DpoConfig;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code align4j dpo}: flags of {@link DpoConfig} and {@link TrainingArgs} → {@link Dpo#train} → the saved model. */
@Command(name = "dpo", description = "Train a model with DPO (and its TRL loss variants) on preference pairs.")
final class DpoCommand implements Callable<Integer> {
    @Mixin
    SupervisedOptions job;
    @Mixin
    ReferenceOption reference;
    @Option(names = "--precompute-ref-log-probs", arity = "0..1", fallbackValue = "true",
            description = "Accepted for TRL compatibility: reference log-probs are always computed once and cached.")
    boolean precomputeRefLogProbs = true;
    @Mixin
    DpoOptions loss;
    @Mixin
    DataOptions data;

    @Override
    public Integer call() throws IOException {
        TrainingArgs args = job.start();
        DpoConfig cfg = loss.config();
        if (loss.listwise()) return ListwiseRuns.dpo(job, data, reference, loss.listwiseLoss());
        Policy policy = job.policy(data.tokenizer, args);
        Pairs[] sets = job.pairs("dpo", data, policy, args);
        Policy ref = reference.load(job, !cfg.referenceFree());
        return job.finish("dpo", policy, args, sets[0], sets[1], p -> Dpo.evaluate(policy, ref, cfg, args, p),
                (t, e) -> Dpo.train(policy, ref, cfg, args, t, e));
    }
}
