package align4j.cli;

import align4j.api.Policy;
import align4j.api.TrainResult;
import align4j.api.TrainedModel;
import align4j.data.Pairs;
import align4j.data.PreferenceData;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What the supervised training commands (sft, reward, dpo, orpo, cpo, kto) share: the model and dataset, a --config file, where
 * eval metrics come from, HF's TrainingArguments, how the model is held (PEFT, checkpointing, bf16 weights) and
 * the engine's threads.
 */
final class SupervisedOptions {
    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Hugging Face model folder, or a PEFT adapter folder to keep training on the base it names.")
    Path model;
    @Option(names = "--dataset", required = true, paramLabel = "FILE", description = "Training data (JSONL[.gz], JSON, Parquet).")
    Path dataset;
    @Option(names = "--config", paramLabel = "FILE", description = "YAML or JSON file of options (snake_case keys); flags override it.")
    Path config;
    @Option(names = "--eval-only", description = "Evaluate the model (no training) and write eval_results.json.")
    boolean evalOnly;
    @Mixin
    EvalOptions eval;
    @Mixin
    TrainingOptions training;
    @Mixin
    ModelOptions modelOptions;
    @Mixin
    ThreadsOption threads;

    /** Sets the engine's threads; the arguments, with the trainer's TRL learning rate when --learning-rate is absent. */
    TrainingArgs start(double trainerLearningRate) {
        threads.apply();
        return training.toArgs(trainerLearningRate);
    }

    /** {@link #start(double)} with DPOConfig's learning rate (dpo, orpo, cpo, kto). */
    TrainingArgs start() {
        threads.apply();
        return training.toArgs();
    }

    /** The policy --model names, held as the PEFT flags ask; tokenizer: a --tokenizer option or null. */
    Policy policy(Path tokenizer, TrainingArgs args) throws IOException {
        return modelOptions.policy(model, tokenizer, args.seed());
    }

    /** {train, eval} pairs of --dataset and --eval-dataset/--eval-split for the policy's tokenizer and vocabulary. */
    Pairs[] pairs(String command, DataOptions data, Policy policy, TrainingArgs args) {
        PreferenceData[] sets = eval.data(command, data, dataset, policy.tokenizerDir(), policy.config().vocabSize(), args.seed());
        return new Pairs[] {sets[0].pairs(), sets[1] == null ? null : sets[1].pairs()};
    }

    /** A trainer's evaluation of one set of its data (the eval_ metrics). */
    interface Evaluation<D> {
        Map<String, Double> of(D data) throws IOException;
    }

    /** A trainer's run on its train data, with eval data (or null) for the eval_ metrics. */
    interface Run<D> {
        TrainResult of(D train, D eval) throws IOException;
    }

    /**
     * The end every trainer shares: with --eval-only, the eval_ metrics of the eval data (else of the train data) in
     * eval_results.json and printed; otherwise the run, then the model saved (a PEFT adapter with LoRA).
     */
    <D> int finish(String command, TrainedModel model, TrainingArgs args, D train, D eval, Evaluation<D> evaluation, Run<D> run)
            throws IOException {
        if (evalOnly) {
            EvalOptions.report(args.outputDir(), evaluation.of(eval != null ? eval : train));
            return 0;
        }
        TrainingOptions.save(command, model, args, run.of(train, eval), eval != null);
        return 0;
    }
}
