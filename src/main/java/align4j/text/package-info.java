/**
 * Text: Hugging Face {@code tokenizer.json} tokenizers, their configs and chat templates rendered as
 * {@code transformers} renders them. May import only the root package.
 */
package align4j.text;
