/**
 * Training: the supervised loop ({@link align4j.train.TrainLoop}) and the online RL loop
 * ({@link align4j.train.RlLoop}) with the algorithms on their seams (docs/DESIGN.md#loop-seams), AdamW,
 * schedules, checkpoints, metrics, the reference log-prob cache. May import every package below it
 * (tensor, loss, model, io, text, data, generate, eval); not api, quickstart or cli.
 */
package align4j.train;
