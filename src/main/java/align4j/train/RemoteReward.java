package align4j.train;

import align4j.InputException;
import align4j.data.DatasetRecord;
import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A reward computed by a server ({@code --reward-url}), as OpenRLHF's remote reward model: each step's rollouts
 * are one POST of a JSON object, {@code Content-Type: application/json},
 * <pre>{"prompts": [TEXT...], "completions": [TEXT...], "records": [RECORD...],
 *  "prompt_ids": [[ID...]...], "completion_ids": [[ID...]...]}</pre>
 * one entry per completion, in order (a prompt repeats for each of its group's completions): the prompt and
 * completion as text (null without a tokenizer; the prompt is the record's 'prompt' when that is text), the
 * prompt's dataset record with all its columns (null when the prompts came without records), and the token ids.
 * The answer is {@code {"rewards": [NUMBER...]}} or a plain array {@code [NUMBER...]}, one finite number per
 * completion.
 *
 * <p>Failures: a 429, a 5xx, a timeout or a connection error is retried up to maxRetries times with exponential
 * backoff (0.5 s, doubling, at most 30 s); after the last retry, or at once for another status, an
 * {@link UncheckedIOException} names the URL, the first record of the batch (its file and line), the HTTP status
 * and the start of the body. The API key goes only into the {@code Authorization: Bearer} header: never into a
 * message, a log line or a metric.
 */
public final class RemoteReward implements RewardFunction {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500), MAX_BACKOFF = Duration.ofSeconds(30);

    private final URI url;
    private final Duration timeout;
    private final int maxRetries;
    private final String apiKey;
    private final Tokenizer tokenizer;
    private final Consumer<String> log;
    private final HttpClient client;

    /**
     * @param apiKey    null or empty: no Authorization header
     * @param tokenizer decodes the texts (null: texts are null, ids only)
     * @param log       told of retries (never of the key)
     */
    public RemoteReward(URI url, Duration timeout, int maxRetries, String apiKey, Tokenizer tokenizer, Consumer<String> log) {
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
            throw new InputException("--reward-url " + url + ": give an http:// or https:// URL");
        }
        if (timeout.isNegative() || timeout.isZero()) throw new InputException("--reward-timeout must be positive");
        if (maxRetries < 0) throw new InputException("--reward-max-retries must be ≥ 0, got " + maxRetries);
        this.url = url;
        this.timeout = timeout;
        this.maxRetries = maxRetries;
        this.apiKey = apiKey;
        this.tokenizer = tokenizer;
        this.log = log;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** The request body for these rollouts (the schema above). */
    ObjectNode body(Rollouts r) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode prompts = body.putArray("prompts"), completions = body.putArray("completions"), records = body.putArray("records"),
                promptIds = body.putArray("prompt_ids"), completionIds = body.putArray("completion_ids");
        for (int i = 0; i < r.size(); i++) {
            DatasetRecord rec = r.records() == null ? null : r.records()[i];
            prompts.add(RewardPlugins.promptText(rec, r.prompts()[i], tokenizer));
            completions.add(tokenizer == null ? null : tokenizer.decode(r.completions()[i], true));
            if (rec == null) records.addNull();
            else records.add(rec.json());
            ArrayNode p = promptIds.addArray(), c = completionIds.addArray();
            for (int t : r.prompts()[i]) p.add(t);
            for (int t : r.completions()[i]) c.add(t);
        }
        return body;
    }

    @Override
    public float[] score(Rollouts r) {
        String where = r.records() != null && r.records().length > 0 && r.records()[0] != null && r.records()[0].location() != null
                ? "the batch starting at " + r.records()[0].location().describe()
                : "the batch starting with prompt ids " + Arrays.toString(Arrays.copyOf(r.prompts()[0], Math.min(8, r.prompts()[0].length)));
        HttpRequest.Builder rb = HttpRequest.newBuilder(url).timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(r).toString()));
        if (apiKey != null && !apiKey.isEmpty()) rb.header("Authorization", "Bearer " + apiKey);
        HttpRequest request = rb.build();
        int attempts = maxRetries + 1;
        String problem = null;
        IOException cause = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                HttpResponse<String> resp = client.send(request, HttpResponse.BodyHandlers.ofString());
                int status = resp.statusCode();
                if (status / 100 == 2) return parse(resp.body(), r.size(), where);
                problem = "HTTP " + status + ": " + snippet(resp.body());
                cause = null;
                if (status != 429 && status / 100 != 5) break;
            } catch (HttpTimeoutException e) {
                problem = "no answer within " + timeout.toMillis() + " ms (--reward-timeout)";
                cause = e;
            } catch (IOException e) {
                problem = "connection error: " + e;
                cause = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException("remote reward " + url + ": interrupted", new IOException(e));
            }
            if (attempt < attempts) {
                Duration wait = Duration.ofMillis(Math.min(FIRST_BACKOFF.toMillis() << Math.min(20, attempt - 1), MAX_BACKOFF.toMillis()));
                log.accept("remote reward: attempt " + attempt + "/" + attempts + " failed (" + problem + "); retrying in " + wait.toMillis() + " ms");
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UncheckedIOException("remote reward " + url + ": interrupted", new IOException(e));
                }
            }
        }
        String msg = "remote reward " + url + " failed for " + where + " (" + r.size() + " completions) after " + attempts
                + (attempts == 1 ? " attempt" : " attempts") + ": " + problem;
        throw new UncheckedIOException(msg, cause != null ? cause : new IOException(msg));
    }

    private float[] parse(String text, int n, String where) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("remote reward " + url + " for " + where + ": the answer is not JSON: " + snippet(text), e);
        }
        JsonNode arr = node != null && node.isObject() ? node.get("rewards") : node;
        if (arr == null || !arr.isArray()) {
            throw bad(where, "expected {\"rewards\": [...]} or a JSON array, got " + snippet(text));
        }
        if (arr.size() != n) throw bad(where, arr.size() + " rewards for " + n + " completions");
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            JsonNode v = arr.get(i);
            if (!v.isNumber() || !Double.isFinite(v.asDouble())) throw bad(where, "reward " + i + " is not a finite number: " + v);
            out[i] = (float) v.asDouble();
        }
        return out;
    }

    private UncheckedIOException bad(String where, String what) {
        String msg = "remote reward " + url + " for " + where + ": " + what;
        return new UncheckedIOException(msg, new IOException(msg));
    }

    private static String snippet(String s) {
        String t = s == null ? "" : s.strip();
        return t.length() <= 200 ? t : t.substring(0, 200) + "…";
    }
}
