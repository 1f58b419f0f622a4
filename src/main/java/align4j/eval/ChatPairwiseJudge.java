package align4j.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * An LLM judge over an OpenAI-compatible chat-completions API (java.net.http), as TRL's
 * {@code OpenAIPairwiseJudge}: one request per pair, {@code max_tokens = 1}, the answer's first character
 * read as the better response's identifier (anything else gives −1, TRL's "no valid answer").
 *
 * <p>Position bias: with {@code shuffleOrder} each pair is shown swapped with probability 1/2 (a seeded draw per
 * pair, in order), and the answer is mapped back, so a judge that always answers "0" prefers each completion
 * half of the time instead of always the first.
 *
 * <p>Failures: a 429, a 5xx, a timeout or a connection error is retried with exponential backoff; after the last
 * retry, or at once for any other status (a 401, a 400), a {@link JudgeException} names the URL, the status and
 * the start of the response body. The API key goes only into the {@code Authorization} header: it is never
 * logged, printed or part of an exception message.
 */
public final class ChatPairwiseJudge implements PairwiseJudge {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChatJudgeConfig config;
    private final String apiKey;
    private final HttpClient client;
    private final URI endpoint;
    private final Consumer<String> log;
    private final SplittableRandom order;
    private int requests;

    /** Thrown when a request fails for good. */
    public static final class JudgeException extends RuntimeException {
        public JudgeException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * @param apiKey null or empty: no Authorization header (local servers)
     * @param log    told about retries (never about the key)
     */
    public ChatPairwiseJudge(ChatJudgeConfig config, String apiKey, Consumer<String> log) {
        this.config = config;
        this.apiKey = apiKey;
        this.log = log;
        this.client = HttpClient.newBuilder().connectTimeout(config.timeout()).build();
        String base = config.baseUrl().toString();
        this.endpoint = URI.create(base.endsWith("/") ? base + "chat/completions" : base + "/chat/completions");
        this.order = new SplittableRandom(config.seed());
    }

    /** Requests sent so far, retries included. */
    public int requests() {
        return requests;
    }

    @Override
    public int[] judge(List<String> prompts, List<String[]> pairs) {
        int[] out = new int[prompts.size()];
        for (int i = 0; i < out.length; i++) {
            String[] p = pairs.get(i);
            boolean flip = config.shuffleOrder() && order.nextBoolean();
            String content = fill(config.promptTemplate(), prompts.get(i), flip ? p[1] : p[0], flip ? p[0] : p[1]);
            int shown = parse(complete(content));
            out[i] = shown < 0 ? -1 : flip ? 1 - shown : shown;
        }
        return out;
    }

    /** Single-pass substitution, so a response containing "{response1}" is not substituted again. */
    static String fill(String template, String prompt, String r0, String r1) {
        StringBuilder b = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            if (template.startsWith("{prompt}", i)) {
                b.append(prompt);
                i += 8;
            } else if (template.startsWith("{response0}", i)) {
                b.append(r0);
                i += 11;
            } else if (template.startsWith("{response1}", i)) {
                b.append(r1);
                i += 11;
            } else {
                b.append(template.charAt(i++));
            }
        }
        return b.toString();
    }

    /** The identifier in the answer: its first non-blank character, 0 or 1; −1 otherwise. */
    static int parse(String answer) {
        String a = answer == null ? "" : answer.strip();
        if (a.isEmpty()) return -1;
        return a.charAt(0) == '0' ? 0 : a.charAt(0) == '1' ? 1 : -1;
    }

    private String complete(String content) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", config.model());
        ObjectNode msg = body.putArray("messages").addObject();
        msg.put("role", "user");
        msg.put("content", content);
        body.put("max_tokens", 1);
        body.put("temperature", 0);
        HttpRequest.Builder rb = HttpRequest.newBuilder(endpoint).timeout(config.timeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (apiKey != null && !apiKey.isEmpty()) rb.header("Authorization", "Bearer " + apiKey);
        HttpRequest request = rb.build();
        int attempts = config.maxRetries() + 1;
        String lastProblem = null;
        Exception lastCause = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            Duration wait = backoff(attempt);
            try {
                requests++;
                HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                int status = r.statusCode();
                if (status / 100 == 2) return answer(r.body());
                lastProblem = "HTTP " + status + ": " + snippet(r.body());
                lastCause = null;
                if (status != 429 && status / 100 != 5) {
                    throw new JudgeException("judge request to " + endpoint + " failed: " + lastProblem
                            + (status == 401 || status == 403 ? " (check the API key's environment variable)" : ""), null);
                }
                var retryAfter = r.headers().firstValue("Retry-After");
                if (retryAfter.isPresent()) {
                    try {
                        Duration ra = Duration.ofSeconds(Long.parseLong(retryAfter.get().strip()));
                        if (ra.compareTo(config.maxBackoff()) <= 0) wait = ra;
                    } catch (NumberFormatException e) {
                        // an HTTP date rather than seconds: keep the exponential backoff
                    }
                }
            } catch (HttpTimeoutException e) {
                lastProblem = "no answer within " + config.timeout().toMillis() + " ms";
                lastCause = e;
            } catch (IOException e) {
                lastProblem = "connection error: " + e.getMessage();
                lastCause = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JudgeException("interrupted while waiting for the judge", e);
            }
            if (attempt < attempts) {
                log.accept("judge: attempt " + attempt + "/" + attempts + " failed (" + lastProblem + "); retrying in "
                        + wait.toMillis() + " ms");
                sleep(wait);
            }
        }
        throw new JudgeException("judge request to " + endpoint + " failed after " + attempts + " attempts; last: " + lastProblem,
                lastCause);
    }

    private Duration backoff(int attempt) {
        long ms = config.initialBackoff().toMillis() << Math.min(20, attempt - 1);
        return Duration.ofMillis(Math.min(ms, config.maxBackoff().toMillis()));
    }

    private static String answer(String body) {
        try {
            JsonNode c = JSON.readTree(body).path("choices").path(0).path("message").path("content");
            return c.isTextual() ? c.asText() : null;
        } catch (IOException e) {
            throw new UncheckedIOException("judge: the response is not JSON: " + snippet(body), e);
        }
    }

    private static String snippet(String s) {
        String t = s == null ? "" : s.strip();
        return t.length() <= 200 ? t : t.substring(0, 200) + "…";
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JudgeException("interrupted while waiting to retry", e);
        }
    }
}
