package align4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The HTTP judge against a local stub server (no network is reachable from the test machines). */
class ChatPairwiseJudgeTest {
    static final String KEY = "sk-test-0123456789-secret";

    private static ChatJudgeConfig config(JudgeStub stub) {
        return ChatJudgeConfig.defaults(stub.baseUrl(), "judge-model").withRetries(3, Duration.ofMillis(5), Duration.ofMillis(50))
                .withTimeout(Duration.ofMillis(500)).withOrder(true, 1);
    }

    @Test
    void retriesAfter500And429ThenPicksTheBetterResponseWhateverTheOrderShown() throws Exception {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        try (JudgeStub stub = new JudgeStub(500, 429)) {
            ChatPairwiseJudge judge = new ChatPairwiseJudge(config(stub), KEY, log::add);
            List<String> prompts = new ArrayList<>();
            List<String[]> pairs = new ArrayList<>();
            int[] expected = new int[8];
            for (int i = 0; i < 8; i++) {
                prompts.add("prompt " + i);
                expected[i] = i % 3 == 0 ? 1 : 0;
                pairs.add(expected[i] == 0 ? new String[] {"a " + JudgeStub.GOOD, "b"} : new String[] {"a", "b " + JudgeStub.GOOD});
            }
            assertArrayEquals(expected, judge.judge(prompts, pairs));
            assertEquals(10, judge.requests(), "8 pairs + 2 retries");
            assertEquals(2, log.size());
            assertTrue(log.get(0).contains("HTTP 500") && log.get(1).contains("HTTP 429"), log.toString());
            for (String a : stub.authorization) assertEquals("Bearer " + KEY, a);
            for (String l : log) assertFalse(l.contains(KEY));
            var first = new com.fasterxml.jackson.databind.ObjectMapper().readTree(stub.bodies.getLast());
            assertEquals("judge-model", first.get("model").asText());
            assertEquals(1, first.get("max_tokens").asInt());
            // Both orders were shown: "a …" appears as response 1 in some requests.
            assertTrue(stub.bodies.stream().anyMatch(b -> b.contains("## Response 1\\na")));
            assertTrue(stub.bodies.stream().anyMatch(b -> b.contains("## Response 0\\na")));
        }
    }

    @Test
    void shufflingRemovesAFixedPositionPreference() throws Exception {
        try (JudgeStub stub = new JudgeStub()) {
            stub.fixedAnswer = "0"; // a judge that always prefers whatever it sees first
            int n = 400;
            List<String> prompts = Collections.nCopies(n, "p");
            List<String[]> pairs = Collections.nCopies(n, new String[] {"x", "y"});
            int[] shuffled = new ChatPairwiseJudge(config(stub), null, s -> {}).judge(prompts, pairs);
            int firstWins = 0;
            for (int r : shuffled) if (r == 0) firstWins++;
            assertEquals(0.5, firstWins / (double) n, 0.1); // 4 standard errors (0.025)
            int[] fixed = new ChatPairwiseJudge(config(stub).withOrder(false, 1), null, s -> {}).judge(prompts.subList(0, 5), pairs.subList(0, 5));
            assertArrayEquals(new int[5], fixed);
            for (String a : stub.authorization) assertEquals("null", a, "no key, no Authorization header");
            // The same seed shows the same orders.
            assertArrayEquals(shuffled, new ChatPairwiseJudge(config(stub), null, s -> {}).judge(prompts, pairs));
        }
    }

    @Test
    void aTimeoutIsRetriedAndAnInvalidAnswerIsMinusOne() throws Exception {
        List<String> log = new ArrayList<>();
        try (JudgeStub stub = new JudgeStub(-1500)) {
            ChatPairwiseJudge judge = new ChatPairwiseJudge(config(stub).withTimeout(Duration.ofMillis(200)), KEY, log::add);
            assertArrayEquals(new int[] {1}, judge.judge(List.of("p"), List.<String[]>of(new String[] {"x", JudgeStub.GOOD})));
            assertEquals(2, judge.requests());
            assertTrue(log.getFirst().contains("no answer within 200 ms"), log.toString());
            stub.fixedAnswer = "Response 0";
            assertArrayEquals(new int[] {-1}, judge.judge(List.of("p"), List.<String[]>of(new String[] {"x", "y"})));
        }
    }

    @Test
    void afterTheLastRetryTheErrorNamesTheStatusButNotTheKey() throws Exception {
        try (JudgeStub stub = new JudgeStub(503, 503, 503, 503, 503)) {
            ChatPairwiseJudge judge = new ChatPairwiseJudge(config(stub), KEY, s -> {});
            var e = assertThrows(ChatPairwiseJudge.JudgeException.class,
                    () -> judge.judge(List.of("p"), List.<String[]>of(new String[] {"x", "y"})));
            assertTrue(e.getMessage().contains("after 4 attempts") && e.getMessage().contains("HTTP 503"), e.getMessage());
            assertFalse(e.getMessage().contains(KEY));
            assertEquals(4, judge.requests());
        }
    }

    @Test
    void anUnauthorisedRequestFailsAtOnce() throws Exception {
        try (JudgeStub stub = new JudgeStub(401)) {
            ChatPairwiseJudge judge = new ChatPairwiseJudge(config(stub), KEY, s -> {});
            var e = assertThrows(ChatPairwiseJudge.JudgeException.class,
                    () -> judge.judge(List.of("p"), List.<String[]>of(new String[] {"x", "y"})));
            assertTrue(e.getMessage().contains("HTTP 401") && e.getMessage().contains("API key"), e.getMessage());
            assertFalse(e.getMessage().contains(KEY));
            assertEquals(1, judge.requests());
        }
    }

    @Test
    void templateSubstitutionIsSinglePassAndAnswersAreReadByTheirFirstCharacter() {
        assertEquals("P={response1} A=x B=y", ChatPairwiseJudge.fill("P={prompt} A={response0} B={response1}", "{response1}", "x", "y"));
        assertEquals(0, ChatPairwiseJudge.parse(" 0"));
        assertEquals(1, ChatPairwiseJudge.parse("1\n"));
        assertEquals(-1, ChatPairwiseJudge.parse("A"));
        assertEquals(-1, ChatPairwiseJudge.parse(null));
        assertThrows(IllegalArgumentException.class, () -> ChatJudgeConfig.defaults(java.net.URI.create("http://x"), "m").withPrompt("{prompt}"));
    }
}
