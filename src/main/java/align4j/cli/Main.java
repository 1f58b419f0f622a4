package align4j.cli;

import align4j.InputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The align4j command line: one subcommand per job, named as TRL's CLI names them. */
@Command(name = "align4j", mixinStandardHelpOptions = true, version = "align4j 0.1.0",
        description = "Preference tuning (DPO, reward models, RLHF) of Hugging Face models in pure Java.",
        subcommands = {CommandLine.HelpCommand.class, QuickstartCommand.class, LogpsCommand.class, TokenizeCommand.class, DpoCommand.class,
                MergeLoraCommand.class, BenchCommand.class, ControlDpoCommand.class, ExplainCommand.class, GenerateCommand.class,
                CollectCommand.class, BestOfNCommand.class, RewardCommand.class, ScoreCommand.class, SftCommand.class,
                PpoCommand.class, GrpoCommand.class, RlooCommand.class, InitModelCommand.class})
public final class Main implements Runnable {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code; errors meant for users print without a stack trace. */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOverwrittenOptionsAllowed(true); // a flag overrides the same option from --config
        // `align4j dpo --help` as well as `align4j help dpo`: -h/--help and -V/--version on every subcommand
        cl.getSubcommands().values().forEach(sub -> sub.getCommandSpec().mixinStandardHelpOptions(true));
        if (args.length > 0 && cl.getSubcommands().containsKey(args[0])) {
            java.util.Set<String> names = new java.util.HashSet<>();
            cl.getSubcommands().get(args[0]).getCommandSpec().options().forEach(o -> names.addAll(java.util.List.of(o.names())));
            String[] rest;
            try {
                rest = ConfigFile.expand(java.util.Arrays.copyOfRange(args, 1, args.length), names);
            } catch (InputException e) {
                System.err.println("align4j " + args[0] + ": " + e.getMessage());
                return 2;
            }
            String[] all = new String[rest.length + 1];
            all[0] = args[0];
            System.arraycopy(rest, 0, all, 1, rest.length);
            args = all;
        }
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof InputException || ex instanceof align4j.train.TrainLoop.TrainingDiverged
                    || ex instanceof java.io.UncheckedIOException || ex instanceof java.io.IOException) {
                cmd.getErr().println("align4j " + cmd.getCommandName() + ": " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
