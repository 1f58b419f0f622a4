/**
 * Measurements: the throughput of a DPO step on fixed shapes, counted as PyTorch counts it
 * ({@link align4j.bench.DpoStepBench}, {@code align4j bench}). May import every package below {@code api}
 * (tensor, loss, model, train, …); not api, quickstart or cli.
 */
package align4j.bench;
