package align4j.cli;

import align4j.InputException;
import align4j.eval.ChatJudgeConfig;
import align4j.eval.ChatPairwiseJudge;
import align4j.eval.Labeller;
import align4j.eval.PairwiseJudge;
import align4j.eval.ReferenceScorer;
import align4j.eval.RewardFunctions;
import align4j.eval.RewardModelScorer;
import align4j.eval.Scorer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * How samples are labelled ({@code --label}): a pointwise {@link Scorer} (reward model, named function, BLEU,
 * ROUGE-L) or the pairwise HTTP {@link ChatPairwiseJudge}; and how samples are built from drawn completions.
 */
final class LabelOptions {
    @Option(names = "--references", paramLabel = "FIELD",
            description = "Field of each prompt record holding a reference completion (for bleu, rouge-l and reference functions).")
    String references;
    @Option(names = "--judge-base-url", paramLabel = "URL", defaultValue = "https://api.openai.com/v1",
            description = "OpenAI-compatible API root for --label judge (default ${DEFAULT-VALUE}).")
    String judgeBaseUrl;
    @Option(names = "--judge-model", paramLabel = "NAME", defaultValue = "gpt-4o-mini", description = "Judge model name (default ${DEFAULT-VALUE}).")
    String judgeModel;
    @Option(names = "--judge-api-key-env", paramLabel = "VAR", defaultValue = "OPENAI_API_KEY",
            description = "Environment variable holding the API key; unset or empty sends no key (default ${DEFAULT-VALUE}).")
    String judgeApiKeyEnv;
    @Option(names = "--judge-timeout", defaultValue = "60", description = "Seconds per judge request (default ${DEFAULT-VALUE}).")
    double judgeTimeout;
    @Option(names = "--judge-max-retries", defaultValue = "5", description = "Retries after 429/5xx/timeouts, with backoff (default ${DEFAULT-VALUE}).")
    int judgeMaxRetries;
    @Option(names = "--judge-prompt", paramLabel = "FILE", description = "Judge prompt template with {prompt}, {response0}, {response1}.")
    Path judgePrompt;

    /** reward-model:DIR, function:NAME, bleu, rouge-l or judge. */
    Labeller parse(String spec, long seed) throws IOException {
        return parse(spec, seed, true);
    }

    /** As {@link #parse(String, long)}; shuffleJudge false shows the judge each pair in the order given (winrate's both orders). */
    Labeller parse(String spec, long seed, boolean shuffleJudge) throws IOException {
        if (spec.startsWith("reward-model:")) return new Labeller.Pointwise(rewardModel(Path.of(spec.substring("reward-model:".length()))));
        if (spec.startsWith("function:")) return new Labeller.Pointwise(function(spec.substring("function:".length())));
        return switch (spec) {
            case "bleu" -> new Labeller.Pointwise(needsReferences(new ReferenceScorer(ReferenceScorer.Metric.BLEU)));
            case "rouge-l", "rouge_l", "rougeL" -> new Labeller.Pointwise(needsReferences(new ReferenceScorer(ReferenceScorer.Metric.ROUGE_L)));
            case "judge" -> new Labeller.Pairwise(judge(seed, shuffleJudge));
            default -> throw new InputException("--label must be reward-model:DIR, function:NAME, bleu, rouge-l or judge, got '" + spec + "'");
        };
    }

    Scorer function(String name) {
        if (RewardFunctions.needsReference(name) && references == null) {
            throw new InputException("reward function '" + name + "' compares with a reference: give --references FIELD");
        }
        return RewardFunctions.get(name);
    }

    static Scorer rewardModel(Path dir) throws IOException {
        return RewardModelScorer.load(dir);
    }

    private Scorer needsReferences(Scorer s) {
        if (references == null) throw new InputException("--label " + s.name() + " compares with a reference: give --references FIELD");
        return s;
    }

    private PairwiseJudge judge(long seed, boolean shuffle) throws IOException {
        URI base;
        try {
            base = URI.create(judgeBaseUrl);
            if (base.getScheme() == null || !base.getScheme().startsWith("http")) throw new IllegalArgumentException("not http(s)");
        } catch (IllegalArgumentException e) {
            throw new InputException("--judge-base-url: not an http(s) URL: " + judgeBaseUrl);
        }
        if (!(judgeTimeout > 0)) throw new InputException("--judge-timeout must be > 0 seconds, got " + judgeTimeout);
        if (judgeMaxRetries < 0) throw new InputException("--judge-max-retries must be ≥ 0, got " + judgeMaxRetries);
        ChatJudgeConfig c = ChatJudgeConfig.defaults(base, judgeModel).withTimeout(Duration.ofMillis((long) (judgeTimeout * 1000)))
                .withRetries(judgeMaxRetries, Duration.ofSeconds(1), Duration.ofSeconds(60)).withOrder(shuffle, seed);
        if (judgePrompt != null) {
            try {
                c = c.withPrompt(Files.readString(judgePrompt));
            } catch (InputException e) {
                throw new InputException(judgePrompt + ": " + e.getMessage());
            }
        }
        String key = System.getenv(judgeApiKeyEnv);
        if (key == null || key.isEmpty()) {
            System.err.println("judge: environment variable " + judgeApiKeyEnv + " is not set; sending no API key");
        }
        return new ChatPairwiseJudge(c, key, System.err::println);
    }
}
