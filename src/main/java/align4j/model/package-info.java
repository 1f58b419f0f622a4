/**
 * The models: {@link align4j.model.ModelConfig}, one {@link align4j.model.Transformer} for GPT-2 and the Llama
 * family as forward/backward pairs, LM and scalar heads, LoRA, packed batches with prefix sharing
 * (docs/DESIGN.md#packed-batches-and-prefix-sharing) and the KV cache. Canonical parameter names live in
 * {@link align4j.model.ParamNames}. May import {@code tensor} and the root package.
 */
package align4j.model;
