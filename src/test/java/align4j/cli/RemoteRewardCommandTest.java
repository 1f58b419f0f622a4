package align4j.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * --reward-url against a real HTTP server on loopback: the batch schema, both answer shapes, the Bearer key (never in
 * stderr, metrics or the output folder), the weight order, and a server failing at the 3rd batch: the run stops with
 * the error naming the batch's first record and the status, and resuming from the last checkpoint with a working
 * server ends the run.
 */
@Timeout(300)
class RemoteRewardCommandTest {
    static final String KEY = "sk-test-7f3a9c1e5b";

    /** A reward server: the reward of a completion is its token count; from batch failFrom on (1-based) it answers 500. */
    static final class Server implements AutoCloseable {
        final HttpServer http;
        final ExecutorService pool = Executors.newCachedThreadPool();
        final AtomicInteger requests = new AtomicInteger();
        final List<String> authorization = new CopyOnWriteArrayList<>();
        final List<JsonNode> bodies = new CopyOnWriteArrayList<>();
        final int failFrom;
        final long delayMs;

        Server(int failFrom, long delayMs) throws IOException {
            this.failFrom = failFrom;
            this.delayMs = delayMs;
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.setExecutor(pool);
            http.createContext("/reward", this::handle);
            http.start();
        }

        String url() {
            return "http://127.0.0.1:" + http.getAddress().getPort() + "/reward";
        }

        private void handle(HttpExchange ex) throws IOException {
            int n = requests.incrementAndGet();
            authorization.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            JsonNode body = DpoFixtures.JSON.readTree(ex.getRequestBody().readAllBytes());
            bodies.add(body);
            if (delayMs > 0) {
                try {
                    Thread.sleep(delayMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (failFrom > 0 && n >= failFrom) {
                send(ex, 500, "{\"error\": \"scripted failure\"}");
                return;
            }
            StringBuilder rewards = new StringBuilder("[");
            JsonNode ids = body.get("completion_ids");
            for (int i = 0; i < ids.size(); i++) rewards.append(i == 0 ? "" : ",").append(ids.get(i).size());
            rewards.append("]");
            send(ex, 200, n % 2 == 0 ? rewards.toString() : "{\"rewards\": " + rewards + "}"); // both answer shapes
        }

        private static void send(HttpExchange ex, int status, String body) throws IOException {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        }

        @Override
        public void close() {
            http.stop(0);
            pool.shutdownNow();
        }
    }

    @TempDir
    static Path shared;
    static RewardRunFixture fx;

    @BeforeAll
    static void fixtures() throws Exception {
        fx = RewardRunFixture.create(shared);
    }

    @AfterEach
    void restoreEnvironment() {
        RlOptions.environment = System::getenv;
    }

    private static void withKey() {
        RlOptions.environment = name -> name.equals("ALIGN4J_TEST_REWARD_KEY") ? KEY : System.getenv(name);
    }

    @Test
    void theRemoteRewardIsATermOfTheSumAndItsKeyIsNeverShown(@TempDir Path out) throws Exception {
        withKey();
        try (Server server = new Server(0, 0)) {
            Path run = out.resolve("run");
            var r = CliRuns.capturingStderr(fx.grpo(run, "--reward-funcs", "target-token:7", "--reward-url", server.url(),
                    "--reward-api-key-env", "ALIGN4J_TEST_REWARD_KEY", "--reward-weights", "1,0.5", "--log-completions"));
            assertEquals(0, r.rc(), r.err());
            assertEquals(3, server.requests.get());
            for (String a : server.authorization) assertEquals("Bearer " + KEY, a);
            JsonNode b = server.bodies.get(0);
            int n = b.get("completions").size();
            assertTrue(n > 0);
            for (String f : List.of("prompts", "records", "prompt_ids", "completion_ids")) assertEquals(n, b.get(f).size(), f);
            assertTrue(b.get("completions").get(0).isTextual(), "texts decoded with the tokenizer: " + b);
            assertTrue(b.get("records").get(0).has("solution"), "records carry every column: " + b);
            for (JsonNode step : CliRuns.metrics(run)) {
                double remote = step.get("rewards/remote/mean").asDouble();
                assertTrue(remote >= 1, "the server's rewards (token counts): " + step);
                assertEquals(step.get("rewards/target-token:7/mean").asDouble() + 0.5 * remote, step.get("reward").asDouble(), 1e-5, step.toString());
            }
            assertFalse(r.err().contains(KEY), "the key is not printed");
            try (Stream<Path> files = Files.walk(run)) {
                for (Path p : files.filter(Files::isRegularFile).toList()) {
                    assertFalse(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1).contains(KEY), "the key is not in " + p);
                }
            }
        }
    }

    @Test
    void aServerFailingAtTheThirdBatchStopsTheRunAndTheCheckpointResumes(@TempDir Path out) throws Exception {
        withKey();
        Path run = out.resolve("run");
        String[] common = {"--reward-url", null, "--reward-api-key-env", "ALIGN4J_TEST_REWARD_KEY", "--reward-max-retries", "1",
                "--max-steps", "4", "--save-steps", "2"};
        try (Server failing = new Server(3, 0)) {
            common[1] = failing.url();
            var r = CliRuns.capturingStderr(fx.grpo(run, common));
            assertEquals(2, r.rc(), r.err());
            assertEquals(4, failing.requests.get(), "two good batches, then the 3rd tried twice (one retry)");
            assertTrue(r.err().contains("HTTP 500") && r.err().contains("math.jsonl, line ") && r.err().contains("retrying"), r.err());
            assertFalse(r.err().contains(KEY), r.err());
        }
        assertTrue(Files.isDirectory(run.resolve("checkpoint-2")), "the checkpoint before the failure stays");
        try (Server working = new Server(0, 0)) {
            common[1] = working.url();
            List<String> resume = new java.util.ArrayList<>(List.of(common));
            resume.addAll(List.of("--resume-from-checkpoint", run.resolve("checkpoint-2").toString()));
            var r = CliRuns.capturingStderr(fx.grpo(run, resume.toArray(String[]::new)));
            assertEquals(0, r.rc(), r.err());
            assertEquals(2, working.requests.get(), "steps 3 and 4");
        }
        List<JsonNode> m = CliRuns.metrics(run);
        assertEquals(4, m.size(), m.toString());
        assertTrue(Files.exists(run.resolve("model.safetensors")), "the resumed run saved the policy");
    }

    @Test
    void aSlowServerTimesOutWithTheClearError(@TempDir Path out) throws Exception {
        try (Server slow = new Server(0, 3000)) {
            var r = CliRuns.capturingStderr(fx.grpo(out.resolve("run"), "--reward-url", slow.url(),
                    "--reward-timeout", "0.3", "--reward-max-retries", "0"));
            assertEquals(2, r.rc(), r.err());
            assertTrue(r.err().contains("no answer within 300 ms") && r.err().contains("math.jsonl, line "), r.err());
        }
        var r = CliRuns.capturingStderr(fx.grpo(out.resolve("nokey"), "--reward-url", "http://127.0.0.1:9/x",
                "--reward-api-key-env", "ALIGN4J_SURELY_UNSET_VARIABLE_42"));
        assertEquals(2, r.rc());
        assertTrue(r.err().contains("ALIGN4J_SURELY_UNSET_VARIABLE_42"), r.err());
    }
}
