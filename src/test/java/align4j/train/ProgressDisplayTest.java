package align4j.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ProgressDisplayTest {
    @Test
    void withoutATerminalItPrintsPlainLinesWithStepsLossAndTokenRate() {
        List<String> lines = new CopyOnWriteArrayList<>();
        try (ProgressDisplay p = ProgressDisplay.plain("dpo", 10, 4, lines::add, 60_000)) {
            for (int step = 5; step <= 10; step++) p.update(step, 1000, 0.5);
            assertEquals(6000, p.tokens());
        }
        assertFalse(lines.isEmpty());
        String last = lines.get(lines.size() - 1);
        for (String line : lines) {
            assertFalse(line.contains("\r") || line.contains("\u001b"), "plain lines have no redraws or colours: " + line);
        }
        assertTrue(last.contains("10/10") && last.contains("loss 0.5000") && last.contains("tok/s"), last);
    }
}
