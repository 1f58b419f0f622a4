/**
 * Losses as pure functions from log-probs (and rewards, values) to loss and gradients: the DPO family with
 * TRL's loss types, Bradley–Terry, PPO/GRPO/RLOO objectives, GAE, KL estimators. Each cites its paper
 * (docs/references.md). May import only the root package.
 */
package align4j.loss;
