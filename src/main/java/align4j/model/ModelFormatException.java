package align4j.model;

/** A model folder, config or checkpoint that align4j cannot use; the message names file and field. */
public class ModelFormatException extends align4j.InputException {
    public ModelFormatException(String message) {
        super(message);
    }
}
