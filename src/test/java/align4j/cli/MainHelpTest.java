package align4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainHelpTest {
    /** `align4j <command> --help` prints that command's usage and exits 0, for every command (it used to say "Unknown option"). */
    @Test
    void everySubcommandTakesHelp() {
        for (String name : new CommandLine(new Main()).getSubcommands().keySet()) {
            if (name.equals("help")) continue;
            PrintStream out = System.out;
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            int rc;
            try {
                System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
                rc = Main.run(name, "--help");
            } finally {
                System.setOut(out);
            }
            String text = buf.toString(StandardCharsets.UTF_8);
            assertEquals(0, rc, name + " --help");
            assertTrue(text.startsWith("Usage: align4j " + name), name + " --help printed: " + text);
            assertTrue(text.contains("--help"), name + " --help lists the option: " + text);
        }
    }
}
