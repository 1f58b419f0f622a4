package align4j.train;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link RemoteReward} against a loopback server: both answer shapes, a wrong count, a 4xx not retried, a 503 retried. */
@Timeout(60)
class RemoteRewardTest {
    record Reply(int status, String body) {}

    static final Rollouts TWO = new Rollouts(new int[][] {{1, 2}, {1, 2}}, new int[][] {{3}, {4, 5}}, new boolean[2]);

    /** Runs f against a server that answers the scripted (status, body) pairs in turn, the last one from then on. */
    static float[] against(List<Reply> script, int retries, List<String> log, AtomicInteger requests) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/r", ex -> {
            ex.getRequestBody().readAllBytes();
            Reply a = script.get(Math.min(requests.getAndIncrement(), script.size() - 1));
            byte[] b = a.body().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(a.status(), b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        s.start();
        try {
            RemoteReward r = new RemoteReward(URI.create("http://127.0.0.1:" + s.getAddress().getPort() + "/r"), Duration.ofSeconds(5),
                    retries, "k", null, log::add);
            return r.score(TWO);
        } finally {
            s.stop(0);
        }
    }

    @Test
    void answersRetriesAndErrors() throws Exception {
        List<String> log = new ArrayList<>();
        AtomicInteger n = new AtomicInteger();
        assertArrayEquals(new float[] {1, 2.5f}, against(List.of(new Reply(200, "{\"rewards\": [1, 2.5]}")), 0, log, n));
        n.set(0);
        assertArrayEquals(new float[] {-1, 0}, against(List.of(new Reply(503, "busy"), new Reply(200, "[-1, 0]")), 1, log, n));
        assertEquals(2, n.get());
        assertTrue(log.get(0).contains("HTTP 503") && !log.get(0).contains(" k"), log.toString());
        n.set(0);
        var e = assertThrows(UncheckedIOException.class, () -> against(List.of(new Reply(200, "[1]")), 0, log, n));
        assertTrue(e.getMessage().contains("1 rewards for 2 completions"), e.getMessage());
        n.set(0);
        e = assertThrows(UncheckedIOException.class, () -> against(List.of(new Reply(400, "bad request")), 3, log, n));
        assertEquals(1, n.get(), "a 4xx is not retried");
        assertTrue(e.getMessage().contains("HTTP 400: bad request") && e.getMessage().contains("prompt ids [1, 2]"), e.getMessage());
    }
}
