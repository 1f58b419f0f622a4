package align4j;

/**
 * An error in what the user gave (a file, a flag, a config value, a dataset row): it carries a message that
 * says what was wrong and where, and the command line prints it without a stack trace. Every input error of
 * every package derives from it, so the CLI catches one type and a genuine bug keeps its stack trace. It is an
 * {@link IllegalArgumentException} (a bad value from the user is an illegal argument), but the CLI catches only
 * this subtype: an {@code IllegalArgumentException} thrown by a programming error is never shown as a user error.
 */
public class InputException extends IllegalArgumentException {
    public InputException(String message) {
        super(message);
    }

    public InputException(String message, Throwable cause) {
        super(message, cause);
    }
}
