package align4j.cli;

import align4j.api.Orpo;
import align4j.api.Policy;
import align4j.api.TrainResult;
import align4j.data.Pairs;
import align4j.data.PreferenceData;
import align4j.train.OrpoConfig;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code align4j orpo}: flags of {@link OrpoConfig} and {@link TrainingArgs} → {@link Orpo#train} → the saved model. */
@Command(name = "orpo", description = "Train a model with ORPO (NLL plus an odds-ratio term, no reference model) on preference pairs.")
final class OrpoCommand implements Callable<Integer> {
    @Mixin
    SupervisedOptions job;
    @Option(names = "--eval-only", description = "Evaluate the model (no training) and write eval_results.json.")
    boolean evalOnly;
    @Mixin
    OrpoOptions loss;
    @Mixin
    DataOptions data;

    @Override
    public Integer call() throws IOException {
        job.threads.apply();
        TrainingArgs args = job.training.toArgs();
        OrpoConfig cfg = loss.config();
        Policy policy = job.modelOptions.policy(job.model, data.tokenizer, args.seed());
        PreferenceData[] sets = job.eval.data("orpo", data, job.dataset, policy.tokenizerDir(), policy.config().vocabSize(), args.seed());
        Pairs train = sets[0].pairs(), eval = sets[1] == null ? null : sets[1].pairs();
        if (evalOnly) {
            EvalOptions.report(args.outputDir(), Orpo.evaluate(policy, cfg, args, eval != null ? eval : train));
            return 0;
        }
        TrainResult result = Orpo.train(policy, cfg, args, train, eval);
        TrainingOptions.save("orpo", policy, args, result, eval != null);
        return 0;
    }
}
