package align4j.eval;

import align4j.InputException;
import java.net.URI;
import java.time.Duration;

/**
 * Settings of {@link ChatPairwiseJudge}. The API key is not here (records print their fields): it is read from
 * the environment at the command line's edge and handed to the judge alone.
 *
 * @param baseUrl        an OpenAI-compatible API root, e.g. https://api.openai.com/v1 ({@code /chat/completions} is appended)
 * @param model          the judge model's name, sent as {@code model}
 * @param timeout        per request
 * @param maxRetries     further attempts after a 429, a 5xx, a timeout or a connection error
 * @param initialBackoff wait before the first retry; doubled each retry, capped at {@code maxBackoff}; a
 *                       {@code Retry-After} header (seconds) within the cap is honoured instead
 * @param promptTemplate the user message, with {@code {prompt}}, {@code {response0}}, {@code {response1}}
 * @param shuffleOrder   present the pair in a random order (TRL's {@code shuffle_order}) against position bias
 * @param seed           the order's seed
 */
public record ChatJudgeConfig(URI baseUrl, String model, Duration timeout, int maxRetries, Duration initialBackoff,
                              Duration maxBackoff, String promptTemplate, boolean shuffleOrder, long seed) {
    public ChatJudgeConfig {
        if (maxRetries < 0) throw new InputException("max retries must be ≥ 0, got " + maxRetries);
        for (String p : new String[] {"{prompt}", "{response0}", "{response1}"}) {
            if (!promptTemplate.contains(p)) throw new InputException("the judge prompt template lacks " + p);
        }
    }

    /**
     * The default judging prompt, in the manner of TRL's {@code DEFAULT_PAIRWISE_SYSTEM_PROMPT}: two unordered
     * outputs with identifiers 0 and 1, and a one-character answer (the request asks for one token).
     */
    public static final String DEFAULT_PROMPT = """
            You are comparing two responses written by AI assistants to the same instruction. Decide which \
            response a careful human reader would prefer: the one that follows the instruction more helpfully, \
            correctly and clearly.

            ## Instruction
            {prompt}

            ## Response 0
            {response0}

            ## Response 1
            {response1}

            ## Your answer
            The order of the responses is random. Reply with the identifier of the better response, 0 or 1, \
            and nothing else: only the first character of your reply is read.""";

    public static ChatJudgeConfig defaults(URI baseUrl, String model) {
        return new ChatJudgeConfig(baseUrl, model, Duration.ofSeconds(60), 5, Duration.ofSeconds(1), Duration.ofSeconds(60),
                DEFAULT_PROMPT, true, 0);
    }

    public ChatJudgeConfig withRetries(int retries, Duration initial, Duration max) {
        return new ChatJudgeConfig(baseUrl, model, timeout, retries, initial, max, promptTemplate, shuffleOrder, seed);
    }

    public ChatJudgeConfig withTimeout(Duration t) {
        return new ChatJudgeConfig(baseUrl, model, t, maxRetries, initialBackoff, maxBackoff, promptTemplate, shuffleOrder, seed);
    }

    public ChatJudgeConfig withPrompt(String template) {
        return new ChatJudgeConfig(baseUrl, model, timeout, maxRetries, initialBackoff, maxBackoff, template, shuffleOrder, seed);
    }

    public ChatJudgeConfig withOrder(boolean shuffle, long seed) {
        return new ChatJudgeConfig(baseUrl, model, timeout, maxRetries, initialBackoff, maxBackoff, promptTemplate, shuffle, seed);
    }
}
