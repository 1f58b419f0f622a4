package align4j.quickstart;

import align4j.model.Batch;
import align4j.model.BatchBuilder;
import align4j.model.LmHead;
import align4j.model.Transformer;
import align4j.train.Stats;
import align4j.train.TrainLoop;

/**
 * Supervised fine-tuning as a {@link TrainLoop.Task}: the mean negative log-likelihood of completion
 * tokens given their prompt (TRL SFTTrainer's {@code completion_only_loss}, the token mean over the
 * micro-batch). The quickstart uses it twice: to pretrain the SFT model on the review corpus, and for
 * "preferred-ft" (SFT on the chosen completions, DPO paper §6.1's Preferred-FT baseline).
 */
final class CompletionLmTask implements TrainLoop.Task {
    private final Transformer model;
    private final int[][] prompts, completions;

    CompletionLmTask(Transformer model, int[][] prompts, int[][] completions) {
        this.model = model;
        this.prompts = prompts;
        this.completions = completions;
    }

    @Override
    public int size() {
        return prompts.length;
    }

    @Override
    public Stats train(int[] examples, double gradScale) {
        BatchBuilder b = new BatchBuilder();
        for (int i : examples) b.addSequence(prompts[i], completions[i]);
        Batch batch = b.build();
        LmHead.Result r = model.logps(batch, true);
        int n = batch.targets().size();
        double nll = 0;
        float[] dlogp = new float[n];
        for (int j = 0; j < n; j++) {
            nll -= r.logp()[j];
            dlogp[j] = (float) (-gradScale / n); // ∂(−mean logp)/∂logp_j
        }
        model.backwardLogps(dlogp);
        return new Stats().add("loss", nll / n, n);
    }

    @Override
    public Stats evaluate() {
        return null;
    }

    @Override
    public long tokens(int[] examples) {
        long t = 0;
        for (int i : examples) t += prompts[i].length + completions[i].length;
        return t;
    }
}
