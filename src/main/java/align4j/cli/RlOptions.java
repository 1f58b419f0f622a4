package align4j.cli;

import align4j.InputException;
import align4j.api.Policy;
import align4j.api.Prompts;
import align4j.api.RolloutSampling;
import align4j.api.TrainResult;
import align4j.data.PromptDataset;
import align4j.io.RewardModelFolder;
import align4j.model.RewardModel;
import align4j.train.RewardFunction;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What the online RL commands (ppo, grpo, rloo) share: the policy (with {@link ModelOptions}' PEFT flags), the
 * optional reference, the prompts, the reward (a reward-model folder or a programmatic reward by name), the
 * sampling options, the training arguments, and the run: load them, call the job of the {@code align4j.api}
 * package, save the policy. With --use-peft and no --ref-model the reference is the policy's own base with its
 * adapters off (TRL's PEFT behaviour), and the output is a PEFT adapter folder.
 */
final class RlOptions {
    private static final RolloutSampling SAMPLING = RolloutSampling.defaults();

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face model folder (the policy), or a PEFT adapter folder to keep training on the base it names.")
    Path model;
    @Option(names = "--ref-model", paramLabel = "DIR", description = "Reference model folder (default: a frozen copy of the policy's starting weights; with --use-peft the base with adapters off).")
    Path refModel;
    @Option(names = "--dataset", required = true, paramLabel = "FILE", description = "Prompts: JSONL[.gz]/JSON/Parquet records with 'prompt' (text or messages) or 'prompt_input_ids'.")
    Path dataset;
    @Option(names = "--tokenizer", paramLabel = "DIR", description = "Folder with tokenizer.json (default: the model's folder).")
    Path tokenizer;
    @Option(names = "--reward-funcs", paramLabel = "NAME", description = "Programmatic reward by name, as collect/best-of-n name them: target-token:ID (fraction of completion tokens equal to ID), length, brevity, word-count, distinct-words (text functions decode with the tokenizer).")
    String rewardFuncs;
    @Option(names = "--reward-model", paramLabel = "DIR", description = "Reward model folder (a sequence-classification model, as align4j reward saves).")
    Path rewardModel;
    @Option(names = "--top-k", description = "Sample among the k most likely tokens (0: all; default ${DEFAULT-VALUE}).")
    int topK = SAMPLING.topK();
    @Option(names = "--top-p", description = "Nucleus sampling mass (default ${DEFAULT-VALUE}).")
    double topP = SAMPLING.topP();
    @Option(names = "--stop-token", paramLabel = "eos", description = "'eos': stop a completion at the model's EOS ids (generation_config.json, config.json, tokenizer; TRL's stop_token).")
    String stopToken;
    @Option(names = "--stop-token-id", paramLabel = "ID", description = "Stop a completion at this token id (repeatable).")
    List<Integer> stopTokenIds = new ArrayList<>(SAMPLING.stopTokenIds());
    @Option(names = "--total-episodes", paramLabel = "N", description = "Prompts to train on in all (TRL's total_episodes); sets the steps when --max-steps is not given.")
    long totalEpisodes;
    @Option(names = "--config", paramLabel = "FILE", description = "YAML or JSON file of options (snake_case keys); flags override it.")
    Path config;
    @Mixin
    ModelOptions modelOptions;
    @Mixin
    TrainingOptions training;
    @Mixin
    ThreadsOption threads;

    /** One online RL job of the api, given what the flags load. */
    interface Job {
        TrainResult train(Policy policy, Policy ref, RewardFunction reward, Prompts prompts, RolloutSampling sampling,
                          TrainingArgs args) throws IOException;
    }

    /**
     * Loads the policy, the reference (--ref-model, only when needReference), the reward and the prompts, runs the
     * job, and saves the policy (a model folder, or with PEFT an adapter folder) in --output-dir.
     */
    void run(String command, boolean needReference, Job job) throws IOException {
        threads.apply();
        if ((rewardFuncs == null) == (rewardModel == null)) {
            throw new InputException("give exactly one of --reward-funcs NAME and --reward-model DIR");
        }
        TrainingArgs args = training.toArgs();
        Policy policy = modelOptions.policy(model, tokenizer, args.seed());
        if (tokenizer != null && policy.tokenizer() == null) throw new InputException(tokenizer + ": no tokenizer.json in this folder");
        Policy ref = needReference && refModel != null ? Policy.loadFrozen(refModel, modelOptions.bf16()) : null;
        int vocab = policy.config().vocabSize();
        int[][] ids = PromptDataset.load(dataset, policy.tokenizer(), vocab);
        List<Integer> stops = new ArrayList<>(stopTokenIds);
        if (stopToken != null) {
            if (!stopToken.equals("eos")) throw new InputException("--stop-token must be 'eos', got '" + stopToken + "'");
            List<Integer> eos = policy.stopTokenIds(List.of());
            if (eos.isEmpty()) throw new InputException("--stop-token eos: " + policy.baseDir() + " names no EOS token (generation_config.json, config.json or the tokenizer)");
            stops.addAll(eos);
        }
        RewardFunction reward = reward(vocab, policy);
        System.err.println(command + ": " + ids.length + " prompts from " + dataset);
        TrainResult result = job.train(policy, ref, reward, new Prompts(ids, totalEpisodes), new RolloutSampling(topK, topP, stops), args);
        TrainingOptions.save(command, policy, args, result, false);
    }

    private RewardFunction reward(int vocab, Policy policy) throws IOException {
        if (rewardModel != null) {
            RewardModel rm = RewardModelFolder.load(rewardModel); // forward only: its tensors never get gradients
            if (rm.config().vocabSize() != vocab) {
                throw new InputException(rewardModel + ": the reward model's vocab_size " + rm.config().vocabSize()
                        + " differs from the policy's " + vocab + "; it must share the policy's tokenizer");
            }
            return RewardFunction.of(rm);
        }
        try {
            return RewardFunction.programmatic(rewardFuncs, vocab, policy.tokenizer());
        } catch (IllegalArgumentException e) {
            throw new InputException("--reward-funcs: " + e.getMessage());
        }
    }
}
