package align4j.loss;

/**
 * The coefficient β of the per-token KL penalty to the reference ({@link PpoRewards}), fixed or
 * adapted toward a target KL. Names follow TRL's legacy PPOConfig ({@code adap_kl_ctrl},
 * {@code init_kl_coef}, {@code target}, {@code horizon}) and its {@code AdaptiveKLController} /
 * {@code FixedKLController} (trl v0.11 trl/trainer/utils.py); OpenRLHF's
 * {@code ppo_utils/kl_controller.py} is the same rule.
 */
public sealed interface PpoKlController permits PpoKlController.Fixed, PpoKlController.Adaptive {

    /** The current β. */
    double value();

    /** Called once per PPO batch with the measured KL (sequence-level mean) and the batch size. */
    void update(double kl, long steps);

    static PpoKlController fixed(double klCoef) {
        return new Fixed(klCoef);
    }

    static PpoKlController adaptive(double initKlCoef, double target, double horizon) {
        return new Adaptive(initKlCoef, target, horizon);
    }

    /** β never changes (TRL's current PPO trainer: {@code kl_coef}). */
    final class Fixed implements PpoKlController {
        private final double value;

        Fixed(double value) {
            this.value = value;
        }

        @Override
        public double value() {
            return value;
        }

        @Override
        public void update(double kl, long steps) {}
    }

    /**
     * Ziegler et al. 2019 (arXiv 1909.08593) §2.2: e = clip(KL/target − 1, −0.2, 0.2),
     * β ← β·(1 + e·steps/horizon), a proportional controller on log β.
     */
    final class Adaptive implements PpoKlController {
        private final double target, horizon;
        private double value;

        Adaptive(double initKlCoef, double target, double horizon) {
            if (target <= 0 || horizon <= 0) throw new IllegalArgumentException("target and horizon must be > 0");
            this.value = initKlCoef;
            this.target = target;
            this.horizon = horizon;
        }

        @Override
        public double value() {
            return value;
        }

        /** Sets β (resuming from a checkpoint that saved it). */
        public void restore(double beta) {
            this.value = beta;
        }

        @Override
        public void update(double kl, long steps) {
            double error = Math.clamp(kl / target - 1, -0.2, 0.2);
            value *= 1 + error * steps / horizon;
        }
    }
}
