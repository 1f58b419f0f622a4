package align4j.cli;

import align4j.api.Cpo;
import align4j.api.Policy;
import align4j.api.TrainResult;
import align4j.data.Pairs;
import align4j.data.PreferenceData;
import align4j.train.CpoConfig;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code align4j cpo}: flags of {@link CpoConfig} and {@link TrainingArgs} → {@link Cpo#train} → the saved model. */
@Command(name = "cpo", description = "Train a model with CPO or SimPO (--loss-type simpo; no reference model) on preference pairs.")
final class CpoCommand implements Callable<Integer> {
    @Mixin
    SupervisedOptions job;
    @Option(names = "--eval-only", description = "Evaluate the model (no training) and write eval_results.json.")
    boolean evalOnly;
    @Mixin
    CpoOptions loss;
    @Mixin
    DataOptions data;

    @Override
    public Integer call() throws IOException {
        job.threads.apply();
        TrainingArgs args = job.training.toArgs();
        CpoConfig cfg = loss.config();
        Policy policy = job.modelOptions.policy(job.model, data.tokenizer, args.seed());
        PreferenceData[] sets = job.eval.data("cpo", data, job.dataset, policy.tokenizerDir(), policy.config().vocabSize(), args.seed());
        Pairs train = sets[0].pairs(), eval = sets[1] == null ? null : sets[1].pairs();
        if (evalOnly) {
            EvalOptions.report(args.outputDir(), Cpo.evaluate(policy, cfg, args, eval != null ? eval : train));
            return 0;
        }
        TrainResult result = Cpo.train(policy, cfg, args, train, eval);
        TrainingOptions.save("cpo", policy, args, result, eval != null);
        return 0;
    }
}
