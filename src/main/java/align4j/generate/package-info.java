/**
 * Decoding with a KV cache and continuous batching, Hugging Face's samplers (temperature, top-k, top-p), one
 * seeded stream per sequence, stop tokens and strings. May import {@code model}, {@code tensor}, {@code text}
 * and the root package.
 */
package align4j.generate;
