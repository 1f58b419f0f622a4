package align4j.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A local OpenAI-compatible chat-completions server for tests. Scripted failures are served first (a status, or
 * a delay in ms as a negative number); after them it answers like a judge that prefers the response containing
 * {@link #GOOD}, or always {@code fixedAnswer} when set. It records every request's Authorization header and body.
 */
public final class JudgeStub implements AutoCloseable {
    public static final String GOOD = "GOOD";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Deque<Integer> script = new ArrayDeque<>();
    public final List<String> authorization = new CopyOnWriteArrayList<>();
    public final List<String> bodies = new CopyOnWriteArrayList<>();
    public volatile String fixedAnswer;

    public JudgeStub(Integer... failures) throws IOException {
        script.addAll(List.of(failures));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/v1/chat/completions", this::handle);
        server.start();
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        authorization.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
        bodies.add(body);
        Integer step;
        synchronized (script) {
            step = script.poll();
        }
        if (step != null && step < 0) {
            try {
                Thread.sleep(-step);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            step = null; // then answer (too late for the client, which has given up)
        }
        if (step != null) {
            if (step == 429) ex.getResponseHeaders().add("Retry-After", "0");
            send(ex, step, "{\"error\":{\"message\":\"scripted " + step + "\"}}");
            return;
        }
        JsonNode req = JSON.readTree(body);
        String content = req.path("messages").path(0).path("content").asText();
        String answer = fixedAnswer;
        if (answer == null) {
            int r0 = content.indexOf("## Response 0"), r1 = content.indexOf("## Response 1"), end = content.indexOf("## Your answer");
            answer = content.substring(r0, r1).contains(GOOD) ? "0" : content.substring(r1, end).contains(GOOD) ? "1" : "?";
        }
        send(ex, 200, "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
                + JSON.writeValueAsString(answer) + "},\"finish_reason\":\"length\"}]}");
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
        server.stop(0);
    }
}
