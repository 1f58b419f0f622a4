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
import align4j.train.RewardSum;
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
    @Option(names = "--chat-template-kwargs", paramLabel = "NAME=VALUE,...",
            description = "Keyword arguments for the chat template of conversational prompts (TRL's chat_template_kwargs), e.g. enable_thinking=false for Qwen3.")
    String chatTemplateKwargs;
    @Option(names = "--reward-funcs", paramLabel = "NAME", description = "Programmatic rewards by name, comma-separated or repeated, summed with --reward-weights: "
            + "accuracy (math answer vs the record's solution/answer column), format, regex:PATTERN (takes the rest of its value, commas included), json, json-keys:K+K, "
            + "exact-match:COLUMN, contains:COLUMN, repetition-penalty[:N], soft-overlong:MAX:CACHE, target-token:ID, length, brevity, word-count, distinct-words "
            + "(docs/commands.md; text functions decode with the tokenizer).")
    List<String> rewardFuncs;
    @Option(names = "--reward-weights", split = ",", paramLabel = "W", description = "Weights of the rewards, TRL's reward_weights: one per --reward-funcs function in order, "
            + "then optionally one for --reward-model (default 1 each); the reward is the weighted sum.")
    List<Double> rewardWeights;
    @Option(names = "--reward-model", paramLabel = "DIR", description = "Reward model folder (a sequence-classification model, as align4j reward saves); with --reward-funcs it is one more term of the sum, last.")
    Path rewardModel;
    @Option(names = "--reward-jar", paramLabel = "FILE.jar", description = "A jar of reward plug-ins (align4j.train.RewardPlugin, found with ServiceLoader; repeatable): "
            + "name them on --reward-funcs like the built-ins.")
    List<Path> rewardJars;
    @Option(names = "--reward-url", paramLabel = "URL", description = "A remote reward: each step's completions POSTed as one JSON batch, the answer one reward each "
            + "(docs/commands.md); one more term of the sum, named 'remote', after the --reward-funcs functions and before --reward-model.")
    java.net.URI rewardUrl;
    @Option(names = "--reward-timeout", paramLabel = "SECONDS", description = "Seconds to wait for the --reward-url server per request (default ${DEFAULT-VALUE}).")
    double rewardTimeout = 60;
    @Option(names = "--reward-max-retries", paramLabel = "N", description = "Retries of a --reward-url request after a 429, a 5xx, a timeout or a connection error, "
            + "with exponential backoff (default ${DEFAULT-VALUE}).")
    int rewardMaxRetries = 3;
    @Option(names = "--reward-api-key-env", paramLabel = "NAME", description = "Environment variable holding the --reward-url API key, sent as "
            + "'Authorization: Bearer KEY' (never logged).")
    String rewardApiKeyEnv;
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
        if (rewardFuncs == null && rewardModel == null && rewardUrl == null) {
            throw new InputException("give --reward-funcs NAME[,NAME...], --reward-model DIR, --reward-url URL, or several");
        }
        TrainingArgs args = training.toArgs();
        Policy policy = modelOptions.policy(model, tokenizer, args.seed());
        if (tokenizer != null && policy.tokenizer() == null) throw new InputException(tokenizer + ": no tokenizer.json in this folder");
        if (policy.tokenizer() != null) policy.tokenizer().setChatTemplateKwargs(align4j.text.ChatTemplateKwargs.parse(chatTemplateKwargs));
        Policy ref = needReference && refModel != null ? Policy.loadFrozen(refModel, modelOptions.bf16()) : null;
        int vocab = policy.config().vocabSize();
        PromptDataset.Loaded data = PromptDataset.loadWithRecords(dataset, policy.tokenizer(), vocab);
        List<Integer> stops = new ArrayList<>(stopTokenIds);
        if (stopToken != null) {
            if (!stopToken.equals("eos")) throw new InputException("--stop-token must be 'eos', got '" + stopToken + "'");
            List<Integer> eos = policy.stopTokenIds(List.of());
            if (eos.isEmpty()) throw new InputException("--stop-token eos: " + policy.baseDir() + " names no EOS token (generation_config.json, config.json or the tokenizer)");
            stops.addAll(eos);
        }
        RewardFunction reward = reward(vocab, policy);
        System.err.println(command + ": " + data.ids().length + " prompts from " + dataset);
        TrainResult result = job.train(policy, ref, reward, new Prompts(data.ids(), data.records(), totalEpisodes),
                new RolloutSampling(topK, topP, stops), args);
        TrainingOptions.save(command, policy, args, result, false);
    }

    /**
     * The weighted sum of the --reward-funcs functions, in order, then the --reward-model, named for metrics by its
     * spec and its folder's name. --reward-weights gives one weight per function and, optionally, one more for the
     * reward model; a weight not given is 1.
     */
    private RewardFunction reward(int vocab, Policy policy) throws IOException {
        List<String> names = rewardFuncs == null ? List.of() : rewardNames(rewardFuncs);
        int terms = names.size() + (rewardUrl == null ? 0 : 1) + (rewardModel == null ? 0 : 1);
        List<Double> w = rewardWeights == null ? List.of() : rewardWeights;
        if (!w.isEmpty() && w.size() != names.size() && w.size() != terms) {
            throw new InputException("--reward-weights: " + w.size() + " weights for " + names.size() + " --reward-funcs functions"
                    + (rewardUrl == null ? "" : " and a --reward-url") + (rewardModel == null ? "" : " and a --reward-model") + "; give one per function"
                    + (terms == names.size() ? "" : ", optionally followed by one each for the remote reward and the reward model, in that order"));
        }
        java.util.Map<String, align4j.train.RewardPlugin> plugins = align4j.train.RewardPlugins.load(rewardJars == null ? List.of() : rewardJars);
        List<RewardSum.Term> sum = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            try {
                align4j.train.RewardPlugin plugin = plugins.get(names.get(i));
                sum.add(new RewardSum.Term(names.get(i), i < w.size() ? w.get(i) : 1, plugin != null
                        ? align4j.train.RewardPlugins.function(plugin, policy.tokenizer())
                        : RewardFunction.programmatic(names.get(i), vocab, policy.tokenizer())));
            } catch (IllegalArgumentException e) {
                throw new InputException("--reward-funcs: " + e.getMessage() + (plugins.isEmpty() ? "" : "; plug-ins: " + String.join(", ", plugins.keySet())));
            }
        }
        if (rewardUrl != null) {
            String key = null;
            if (rewardApiKeyEnv != null) {
                key = environment.apply(rewardApiKeyEnv);
                if (key == null || key.isEmpty()) throw new InputException("--reward-api-key-env: the environment variable " + rewardApiKeyEnv + " is not set");
            }
            if (!(rewardTimeout > 0) || !Double.isFinite(rewardTimeout)) throw new InputException("--reward-timeout must be a positive number of seconds, got " + rewardTimeout);
            sum.add(new RewardSum.Term("remote", w.size() == terms ? w.get(names.size()) : 1, new align4j.train.RemoteReward(rewardUrl,
                    java.time.Duration.ofMillis(Math.round(rewardTimeout * 1000)), rewardMaxRetries, key, policy.tokenizer(), System.err::println)));
        }
        if (rewardModel != null) {
            RewardModel rm = RewardModelFolder.load(rewardModel); // forward only: its tensors never get gradients
            if (rm.config().vocabSize() != vocab) {
                throw new InputException(rewardModel + ": the reward model's vocab_size " + rm.config().vocabSize()
                        + " differs from the policy's " + vocab + "; it must share the policy's tokenizer");
            }
            Path name = rewardModel.toAbsolutePath().normalize().getFileName();
            sum.add(new RewardSum.Term(name == null ? "reward_model" : name.toString(), w.size() == terms ? w.get(terms - 1) : 1,
                    RewardFunction.of(rm)));
        }
        return new RewardSum(sum);
    }

    /** Reads the environment variable --reward-api-key-env names (tests replace it). */
    static java.util.function.UnaryOperator<String> environment = System::getenv;

    /** The names in --reward-funcs values: split at commas, except that regex:PATTERN takes the rest of its value. */
    static List<String> rewardNames(List<String> values) {
        List<String> out = new ArrayList<>();
        for (String v : values) {
            String rest = v;
            while (!rest.isEmpty()) {
                int comma = rest.indexOf(',');
                if (rest.strip().startsWith("regex:") || comma < 0) {
                    if (!rest.isBlank()) out.add(rest.strip());
                    break;
                }
                if (!rest.substring(0, comma).isBlank()) out.add(rest.substring(0, comma).strip());
                rest = rest.substring(comma + 1);
            }
        }
        return out;
    }
}
