package align4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlDpoCommandTest {
    @Test
    void writesSummaryWithTheContractFieldsAndTheSettings(@TempDir Path dir) throws Exception {
        int code = Main.run("control-dpo", "--env", "cartpole", "--seed", "3", "--output-dir", dir.toString(),
                "--pairs", "8", "--epochs", "1", "--eval-episodes", "5", "--beta", "0.2");
        assertEquals(0, code);
        JsonNode s = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertEquals("cartpole", s.get("env").asText());
        assertEquals("CartPole-v1", s.get("env_id").asText());
        for (String k : new String[] {"reference_return", "policy_return"}) {
            double v = s.get(k).asDouble();
            assertTrue(v >= 1 && v <= 500, k + " = " + v);
        }
        assertEquals(3, s.get("seed").asLong());
        assertEquals(0.2, s.get("beta").asDouble());
        assertEquals(8, s.get("pairs").asInt());
        assertEquals(5, s.get("eval_episodes").asInt());
    }

    @Test
    void rejectsAnUnknownEnvironmentWithAMessage(@TempDir Path dir) {
        assertEquals(2, Main.run("control-dpo", "--env", "pendulum", "--output-dir", dir.toString()));
        assertEquals(2, Main.run("control-dpo", "--env", "cartpole", "--beta", "-1", "--output-dir", dir.toString()));
    }
}
