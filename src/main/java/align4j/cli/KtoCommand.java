package align4j.cli;

import align4j.api.Kto;
import align4j.api.Policy;
import align4j.data.UnpairedData;
import align4j.train.KtoConfig;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code align4j kto}: flags of {@link KtoConfig} and {@link TrainingArgs} → {@link Kto#train} → the saved model. */
@Command(name = "kto", description = "Train a model with KTO on unpaired data ({prompt, completion, label: true|false}; paired data is split).")
final class KtoCommand implements Callable<Integer> {
    @Mixin
    SupervisedOptions job;
    @Mixin
    ReferenceOption reference;
    @Mixin
    KtoOptions loss;
    @Mixin
    DataOptions data;

    @Override
    public Integer call() throws IOException {
        TrainingArgs args = job.start();
        KtoConfig cfg = loss.config();
        Policy policy = job.policy(data.tokenizer, args);
        int vocab = policy.config().vocabSize();
        UnpairedData train = data.loadUnpaired(job.dataset, policy.tokenizerDir(), vocab), eval = null;
        System.err.println("kto: dataset: " + train.size() + " examples, " + train.desirable() + " desirable");
        if (job.eval.evalDataset != null) {
            eval = data.loadUnpaired(job.eval.evalDataset, policy.tokenizerDir(), vocab);
        } else if (job.eval.holdsOut()) {
            int[][] idx = job.eval.split(train.size(), args.seed());
            eval = train.select(idx[1]);
            train = train.select(idx[0]);
        }
        Policy ref = reference.load(job, true);
        return job.finish("kto", policy, args, train, eval, d -> Kto.evaluate(policy, ref, cfg, args, d),
                (t, e) -> Kto.train(policy, ref, cfg, args, t, e));
    }
}
