package align4j.text;

import align4j.InputException;

/** A chat template that failed: raise_exception, an error while rendering, or a construct we cannot render as jinja2 does. */
public final class ChatTemplateException extends InputException {
    public ChatTemplateException(String message) {
        super(message);
    }

    public ChatTemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
