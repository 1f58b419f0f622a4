/**
 * Classic control tasks (CartPole, Acrobot, MountainCar, stepped as Gymnasium steps them) and DPO on whole
 * trajectories (docs/references.md#dpo-on-trajectories). May import {@code loss} and the root package.
 */
package align4j.control;
