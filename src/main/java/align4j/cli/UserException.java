package align4j.cli;

/** An error caused by the user's input (a file, a flag, a dataset row): printed as a message, no stack trace. */
public class UserException extends RuntimeException {
    public UserException(String message) {
        super(message);
    }

    public UserException(String message, Throwable cause) {
        super(message, cause);
    }
}
