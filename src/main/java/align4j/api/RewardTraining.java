package align4j.api;

import align4j.InputException;
import align4j.data.Pairs;
import align4j.io.DType;
import align4j.io.HfModel;
import align4j.io.LoadedModel;
import align4j.io.PeftAdapter;
import align4j.io.RewardModelFolder;
import align4j.io.SequenceClassification;
import align4j.loss.BradleyTerryLoss;
import align4j.model.Lora;
import align4j.model.RewardModel;
import align4j.tensor.Tensor;
import align4j.train.RewardTask;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Bradley–Terry reward model trained as TRL's {@code RewardTrainer} does: the backbone of a model folder plus a
 * score head read at each sequence's last token, the loss −log σ(r_c − r_r − margin) + center_rewards_coefficient ·
 * mean((r_c + r_r)²) ({@link BradleyTerryLoss}), TRL's metric names. The saved folder is Hugging Face's
 * {@code *ForSequenceClassification} layout (num_labels = 1) that {@link RewardModelFolder#load}, {@code align4j score}
 * and transformers load; with PEFT, a SEQ_CLS adapter folder holding the score head too.
 */
public final class RewardTraining {
    /** TRL RewardConfig's learning_rate default (TrainingArgs.defaults() holds DPOConfig's). */
    public static final double LEARNING_RATE = 1e-4;

    private RewardTraining() {}

    /**
     * A reward model being trained: the network, its LoRA adapters (null when every weight trains), where its base
     * and tokenizer files are, and the base's dtype (the full model is saved in it).
     */
    public record Model(RewardModel model, Lora lora, Path baseDir, Path tokenizerDir, DType dtype) implements TrainedModel {
        /**
         * A reward model folder as it is, a language model with its LM head replaced by a fresh score head (seeded; the
         * tokenizer's pad id), or a reward model's PEFT adapter folder (its adapters continue training on its base).
         */
        public static Model load(Path dir, ModelSettings settings, Path tokenizerDir, long seed) throws IOException {
            ModelFolders f = ModelFolders.of(dir, tokenizerDir);
            PeftAdapter.Loaded adapter = f.adapter() == null ? null : PeftAdapter.load(f.adapter());
            if (adapter != null && !adapter.sequenceClassification()) {
                throw new InputException(f.adapter() + ": a language model's adapter (task_type CAUSAL_LM); reward trains a"
                        + " reward model's (SEQ_CLS), or give the base model and --use-peft");
            }
            LoadedModel lm = HfModel.load(f.base());
            int pad = SequenceClassification.isClassifier(lm.config()) ? -1 : RewardModelFolder.padTokenId(f.tokenizer(), lm.config());
            RewardModel rm = RewardModelFolder.open(lm, f.base(), pad, seed);
            Lora lora = Adapters.attach(rm.backbone(), adapter, settings, seed);
            if (adapter != null) System.arraycopy(adapter.score().data, 0, rm.head().weight().data, 0, rm.config().hidden());
            return new Model(rm, lora, f.base(), f.tokenizer(), lm.layout().dtype());
        }

        /** With PEFT the adapters and the score head train (PEFT's modules_to_save for SEQ_CLS); else every weight. */
        public List<Tensor> trainableParameters() {
            if (lora == null) return model.parameters();
            List<Tensor> params = new ArrayList<>(lora.parameters());
            params.add(model.head().weight());
            return params;
        }

        /** The sequence-classification folder (or SEQ_CLS adapter folder) and the tokenizer files. */
        @Override
        public void save(Path dir) throws IOException {
            Files.createDirectories(dir);
            if (lora != null) PeftAdapter.save(dir, lora, baseDir.toString(), model.head().weight());
            else RewardModelFolder.save(dir, model, dtype);
            HfModel.copyTokenizerFiles(tokenizerDir, dir);
        }
    }

    /**
     * Trains on the pairs; margins (per pair, or null) are TRL's optional {@code margin} column. eval (may be null)
     * gives the eval_ metrics at each evaluation.
     */
    public static TrainResult train(Model model, BradleyTerryLoss loss, TrainingArgs args, Pairs train, double[] trainMargin,
                                    Pairs eval, double[] evalMargin) throws IOException {
        RewardTask task = new RewardTask(model.model(), loss, train, trainMargin, eval, evalMargin, args.evalBatchSize());
        return Training.run("reward", args, task, model.trainableParameters(), null);
    }

    /** The eval_ metrics of the pairs, nothing trained. */
    public static Map<String, Double> evaluate(Model model, BradleyTerryLoss loss, TrainingArgs args, Pairs pairs, double[] margin) {
        RewardTask task = new RewardTask(model.model(), loss, pairs, margin, null, null, args.evalBatchSize());
        return task.evaluate(pairs, margin, args.evalBatchSize()).means("eval_");
    }
}
