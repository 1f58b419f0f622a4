package align4j.cli;

import align4j.InputException;
import align4j.api.Policy;
import align4j.api.Sft;
import align4j.data.ColumnMapping;
import align4j.data.SequenceDataset;
import align4j.data.SequenceExample;
import align4j.text.ChatTemplateKwargs;
import align4j.text.Tokenizer;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code align4j sft}: flags → {@link Sft#train} (TRL SFTTrainer) on text, prompt/completion or conversational data. */
@Command(name = "sft", description = {"Supervised fine-tuning (TRL SFTTrainer) on text, prompt/completion or messages data.",
        "--dataset records: text, prompt + completion, messages, or input_ids."})
final class SftCommand implements Callable<Integer> {
    @Mixin
    SupervisedOptions job;
    @Option(names = "--tokenizer", paramLabel = "DIR", description = "Folder with tokenizer.json (default: the model's folder).")
    Path tokenizer;
    @Option(names = "--dataset-text-field", defaultValue = "text", description = "Field of language-modelling text (default ${DEFAULT-VALUE}).")
    String datasetTextField;
    @Option(names = "--max-length", defaultValue = "1024", description = "Truncate sequences to this many tokens (≤ 0: no limit; default ${DEFAULT-VALUE}).")
    int maxLength;
    @Option(names = "--completion-only-loss", arity = "0..1", fallbackValue = "true", defaultValue = "true",
            description = "Prompt/completion data: loss on completion tokens only (default ${DEFAULT-VALUE}); false: on all tokens.")
    boolean completionOnlyLoss;
    @Option(names = "--assistant-only-loss", arity = "0..1", fallbackValue = "true", defaultValue = "false",
            description = "Messages data: loss on assistant turns only (default ${DEFAULT-VALUE}).")
    boolean assistantOnlyLoss;
    @Option(names = "--chat-template-kwargs", paramLabel = "NAME=VALUE,...",
            description = "Keyword arguments for the chat template (TRL's chat_template_kwargs), e.g. enable_thinking=false for Qwen3.")
    String chatTemplateKwargs;

    @Override
    public Integer call() throws IOException {
        TrainingArgs args = job.start(Sft.LEARNING_RATE);
        Policy policy = job.policy(tokenizer, args);
        List<SequenceExample> train = load(policy, job.dataset), eval = null;
        if (job.eval.evalDataset != null) {
            eval = load(policy, job.eval.evalDataset);
        } else if (job.eval.holdsOut()) {
            int[][] idx = job.eval.split(train.size(), args.seed());
            List<SequenceExample> all = train;
            train = new ArrayList<>();
            eval = new ArrayList<>();
            for (int i : idx[0]) train.add(all.get(i));
            for (int i : idx[1]) eval.add(all.get(i));
        }
        return job.finish("sft", policy, args, train, eval, d -> Sft.evaluate(policy, args, d), (t, e) -> Sft.train(policy, args, t, e));
    }

    private List<SequenceExample> load(Policy policy, Path file) {
        Tokenizer tok = policy.tokenizer();
        if (tokenizer != null && tok == null) throw new InputException(tokenizer + ": no tokenizer.json in this folder");
        if (tok != null) tok.setChatTemplateKwargs(ChatTemplateKwargs.parse(chatTemplateKwargs));
        return SequenceDataset.forTraining("sft", file, new ColumnMapping(Map.of("text", datasetTextField)), tok,
                new SequenceDataset.LossOptions(completionOnlyLoss, assistantOnlyLoss), maxLength, policy.config().vocabSize());
    }
}
