package align4j.cli;

import align4j.InputException;
import align4j.train.TrainLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The align4j command line: one subcommand per job, named as TRL's CLI names them, listed in the order of a
 * workflow. Each is a thin adapter over the library call of {@code align4j.api} that does the job.
 */
@Command(name = "align4j", mixinStandardHelpOptions = true, version = "align4j 0.1.0",
        description = "Preference tuning (DPO, reward models, RLHF) of Hugging Face models in pure Java.",
        footer = {"", Main.VOCABULARY_1, Main.VOCABULARY_2, Main.VOCABULARY_3},
        subcommands = {CommandLine.HelpCommand.class, QuickstartCommand.class, TokenizeCommand.class, SftCommand.class,
                GenerateCommand.class, CollectCommand.class, RewardCommand.class, ScoreCommand.class, DpoCommand.class,
                OrpoCommand.class, CpoCommand.class, KtoCommand.class,
                LogpsCommand.class, AuditDataCommand.class, ExplainCommand.class, PpoCommand.class, GrpoCommand.class, RlooCommand.class, OnlineDpoCommand.class,
                BestOfNCommand.class, WinrateCommand.class, MergeLoraCommand.class, InitModelCommand.class, BenchCommand.class, ControlDpoCommand.class})
public final class Main implements Runnable {
    /** The CLI vocabulary (docs/DESIGN.md#cli-vocabulary), the footer of every command's --help. */
    static final String VOCABULARY_1 = "Flags follow one vocabulary: --dataset FILE is a training set (TRL's dataset), --data FILE the input",
            VOCABULARY_2 = "of a one-shot tool, --prompts FILE the prompts of a sampling tool; --out FILE writes one file, --output-dir DIR",
            VOCABULARY_3 = "a folder. Training flags are TRL's argument names in kebab case; --config FILE reads snake_case keys (flags win).";

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code; errors meant for users print without a stack trace. */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOverwrittenOptionsAllowed(true); // a flag overrides the same option from --config
        // `align4j dpo --help` as well as `align4j help dpo`: -h/--help and -V/--version on every subcommand
        cl.getSubcommands().values().forEach(sub -> {
            sub.getCommandSpec().mixinStandardHelpOptions(true);
            sub.getCommandSpec().usageMessage().footer("", VOCABULARY_1, VOCABULARY_2, VOCABULARY_3);
        });
        if (args.length > 0 && cl.getSubcommands().containsKey(args[0])) {
            Set<String> names = new HashSet<>();
            cl.getSubcommands().get(args[0]).getCommandSpec().options().forEach(o -> names.addAll(List.of(o.names())));
            String[] rest;
            try {
                rest = ConfigFile.expand(Arrays.copyOfRange(args, 1, args.length), names);
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
            if (ex instanceof InputException || ex instanceof TrainLoop.TrainingDiverged || ex instanceof UncheckedIOException
                    || ex instanceof IOException) {
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
