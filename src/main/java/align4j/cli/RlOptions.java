package align4j.cli;

import align4j.InputException;
import align4j.data.PromptDataset;
import align4j.eval.RewardFunctions;
import align4j.eval.RewardModel;
import align4j.generate.EosTokens;
import align4j.io.DType;
import align4j.io.HfModel;
import align4j.io.LoadedModel;
import align4j.io.PeftAdapter;
import align4j.io.SafetensorsWriter;
import align4j.model.Lora;
import align4j.model.Transformer;
import align4j.tensor.Tensor;
import align4j.text.Tokenizer;
import align4j.train.PolicySampler;
import align4j.train.ProgressDisplay;
import align4j.train.RewardFunction;
import align4j.train.RlLoop;
import align4j.train.RolloutLogps;
import align4j.train.RolloutSampler;
import align4j.train.TrainLoop;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * What the online RL commands (ppo, grpo, rloo) share: the policy, the frozen reference, the prompts,
 * the reward (a reward-model folder or a programmatic reward by name), sampling options named as
 * TRL's configs, and the run itself (load, train on {@link RlLoop}, save). With --use-peft (the commands'
 * {@link ModelOptions}) only LoRA adapters train, the reference is the policy's own base with its adapters
 * off (TRL's PEFT behaviour: one model in memory), and the output is a PEFT adapter folder.
 */
final class RlOptions {
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
    @Option(names = "--top-k", defaultValue = "0", description = "Sample among the k most likely tokens (0: all; default ${DEFAULT-VALUE}).")
    int topK;
    @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus sampling mass (default ${DEFAULT-VALUE}).")
    double topP;
    @Option(names = "--stop-token", paramLabel = "eos", description = "'eos': stop a completion at the model's EOS ids (generation_config.json, config.json, tokenizer; TRL's stop_token).")
    String stopToken;
    @Option(names = "--stop-token-id", paramLabel = "ID", description = "Stop a completion at this token id (repeatable).")
    List<Integer> stopTokenIds = new ArrayList<>();
    @Option(names = "--total-episodes", paramLabel = "N", description = "Prompts to train on in all (TRL's total_episodes); sets the steps when --max-steps is not given.")
    Long totalEpisodes;
    @Option(names = "--config", paramLabel = "FILE", description = "YAML or JSON file of options (snake_case keys); flags override it.")
    Path config;

    /**
     * Everything loaded for a run. lora is null without PEFT; reference is null when none is needed, and is
     * the policy itself when it is the policy's base (PEFT, no --ref-model).
     */
    record Loaded(LoadedModel policyFiles, Path baseDir, Path tokenizerDir, Transformer policy, Lora lora, Transformer reference,
                  int[][] prompts, RewardFunction reward, int[] stopTokens) {
        /** Log-probs under the reference at the sampling temperature: with PEFT, the policy with its adapters off. */
        RolloutLogps referenceLogps(double temperature) {
            if (reference == null) return null;
            return reference == policy ? RolloutLogps.base(policy, temperature) : new RolloutLogps(reference, null, temperature);
        }
    }

    /** needReference false (GRPO with β = 0) loads no reference model, as TRL does. */
    Loaded load(String command, boolean needReference, ModelOptions modelOptions, long seed) throws IOException {
        if ((rewardFuncs == null) == (rewardModel == null)) {
            throw new InputException("give exactly one of --reward-funcs NAME and --reward-model DIR");
        }
        // --model may be a PEFT adapter folder: keep training it on the base it names
        ModelOptions.Folders folders = ModelOptions.Folders.of(model, tokenizer);
        Path adapterDir = folders.adapter(), baseDir = folders.base(), tokDir = folders.tokenizer();
        LoadedModel lm = HfModel.load(baseDir);
        int vocab = lm.config().vocabSize();
        Transformer policy = new Transformer(lm.config(), lm.tensors());
        Lora lora = modelOptions.apply(policy, adapterDir, seed);
        // with PEFT only the adapters train; the base stays frozen (no gradient, no AdamW state)
        for (Tensor t : lora != null ? lora.parameters() : policy.parameters()) t.zeroGrad();
        Transformer ref = null;
        if (needReference && lora != null && refModel == null) {
            ref = policy;
        } else if (needReference) {
            LoadedModel refFiles = HfModel.load(refModel != null ? refModel : model);
            if (refFiles.config().vocabSize() != vocab) {
                throw new InputException(refModel + ": vocab_size " + refFiles.config().vocabSize() + " differs from the policy's " + vocab);
            }
            ref = new Transformer(refFiles.config(), refFiles.tensors()); // forward only: its tensors never get gradients
            if (lora != null && modelOptions.bf16()) ref.holdFrozenWeightsAsBf16();
        }
        Tokenizer tok = Files.isRegularFile(tokDir.resolve("tokenizer.json")) ? Tokenizer.load(tokDir) : null;
        if (tokenizer != null && tok == null) throw new InputException(tokenizer + ": no tokenizer.json in this folder");
        int[][] prompts;
        List<Integer> stops = new ArrayList<>(stopTokenIds);
        try {
            prompts = PromptDataset.load(dataset, tok, vocab);
            if (stopToken != null) {
                if (!stopToken.equals("eos")) throw new InputException("--stop-token must be 'eos', got '" + stopToken + "'");
                List<Integer> eos = EosTokens.of(baseDir, tok);
                if (eos.isEmpty()) throw new InputException("--stop-token eos: " + baseDir + " names no EOS token (generation_config.json, config.json or the tokenizer)");
                stops.addAll(eos);
            }
        } finally {
            // a text reward function decodes completions with it for the whole run; otherwise let it go now
            boolean textReward = rewardModel == null && rewardFuncs != null && RewardFunctions.needsText(rewardFuncs);
            if (tok != null && !textReward) tok.close();
        }
        for (int s : stops) if (s < 0 || s >= vocab) throw new InputException("--stop-token-id " + s + " is outside the vocabulary [0, " + vocab + ")");
        RewardFunction reward;
        if (rewardModel != null) {
            RewardModel rm = RewardModel.load(rewardModel); // forward only: its tensors never get gradients
            if (rm.config().vocabSize() != vocab) {
                throw new InputException(rewardModel + ": the reward model's vocab_size " + rm.config().vocabSize()
                        + " differs from the policy's " + vocab + "; it must share the policy's tokenizer");
            }
            reward = RewardFunction.of(rm);
        } else {
            try {
                reward = RewardFunction.programmatic(rewardFuncs, vocab, tok);
            } catch (IllegalArgumentException e) {
                throw new InputException("--reward-funcs: " + e.getMessage());
            }
        }
        System.err.println(command + ": " + prompts.length + " prompts from " + dataset);
        return new Loaded(lm, baseDir, tokDir, policy, lora, ref, prompts, reward, stops.stream().mapToInt(Integer::intValue).toArray());
    }

    RolloutSampler sampler(Loaded l, double temperature, int maxNewTokens) {
        if (topK < 0) throw new InputException("--top-k must be ≥ 0, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new InputException("--top-p must be in (0, 1], got " + topP);
        return new PolicySampler(l.policy(), temperature, topK, topP, maxNewTokens, l.stopTokens());
    }

    /**
     * Trains with the algorithm on RlLoop (prompts per step = args' batch size), then saves the policy as
     * a Hugging Face folder in the output dir (with PEFT: the adapter folder), and the value head (if any)
     * as value_head.safetensors.
     */
    void train(String command, Loaded l, TrainingArgs args, RlLoop.Algorithm algorithm, RolloutLogps policy) throws IOException {
        if (totalEpisodes != null && args.maxSteps() <= 0) {
            if (totalEpisodes < 1) throw new InputException("--total-episodes must be ≥ 1, got " + totalEpisodes);
            args = args.withMaxSteps((int) Math.ceil((double) totalEpisodes / args.batchSize()));
        }
        Files.createDirectories(args.outputDir());
        List<Tensor> head = policy.valueHeadParameters();
        // trained and checkpointed: with PEFT the adapters (and the value head), else every parameter
        List<Tensor> trained = policy.parameters();
        if (l.lora() != null) {
            trained = new ArrayList<>(l.lora().parameters());
            trained.addAll(head);
        }
        RlLoop loop = new RlLoop(args, l.prompts(), trained, algorithm, null);
        try (ProgressDisplay progress = ProgressDisplay.open(command, loop.totalSteps(), 0)) {
            loop = new RlLoop(args, l.prompts(), trained, algorithm, (step, total, loss, tokens) -> progress.update(step, tokens, loss));
            loop.run();
        } catch (TrainLoop.TrainingDiverged e) {
            throw new InputException(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage());
        }
        for (Tensor t : trained) t.freeze();
        if (l.lora() != null) {
            PeftAdapter.save(args.outputDir(), l.lora(), l.baseDir().toString());
        } else {
            HfModel.save(args.outputDir(), l.policyFiles().config(), l.policyFiles().tensors(), l.policyFiles().layout());
        }
        HfModel.copyTokenizerFiles(l.tokenizerDir(), args.outputDir());
        if (!head.isEmpty()) {
            Map<String, Tensor> m = new LinkedHashMap<>();
            for (Tensor t : head) m.put(t.name, t);
            SafetensorsWriter.write(args.outputDir().resolve("value_head.safetensors"), m, DType.F32);
        }
        System.err.println(command + ": " + (l.lora() != null ? "PEFT adapter" : "model") + " saved to " + args.outputDir());
    }
}
