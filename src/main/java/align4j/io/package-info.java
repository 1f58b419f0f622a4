/**
 * Files of models: safetensors (F32, F16, BF16, sharded), Hugging Face model folders and the mapping of their
 * tensor names onto align4j's ({@link align4j.io.HfNames}, docs/DESIGN.md#parameter-names), PEFT adapter
 * folders, sequence classifiers, atomic writes. May import {@code model}, {@code tensor} and the root package.
 */
package align4j.io;
