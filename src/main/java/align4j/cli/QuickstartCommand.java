package align4j.cli;

import picocli.CommandLine.Command;

/** The built-in end-to-end experiment (issue 6); until it lands, it says so. */
@Command(name = "quickstart", description = "Run the built-in DPO/PPO/best-of-N experiment (not yet implemented).")
final class QuickstartCommand implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println("quickstart: not yet: the built-in experiment lands with issue 6 (see README).");
        return 0;
    }
}
