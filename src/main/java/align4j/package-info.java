/**
 * align4j: preference tuning of language models (DPO, reward models, RLHF) on the JVM. The root package holds
 * only {@link align4j.InputException}, the one type for bad user input, which every package may import and which
 * imports nothing. Layers and their imports: docs/DESIGN.md#layers.
 */
package align4j;
