"""Reference trajectories for align4j's control environments (ControlEnvDynamicsTest).

Gymnasium is not installable here, so this script transcribes the step functions of
Farama-Foundation/Gymnasium gymnasium/envs/classic_control/{cartpole,acrobot,mountain_car}.py
line for line with NumPy (float64 state, as there). It starts each environment from a fixed state,
applies a fixed action sequence and prints the state after every step as JSON:
    /usr/bin/python3 gym_reference.py > gym_reference.json
"""
import json
import math

import numpy as np
from numpy import cos, pi, sin


def cartpole_step(state, action):
    gravity, masscart, masspole = 9.8, 1.0, 0.1
    total_mass = masspole + masscart
    length = 0.5
    polemass_length = masspole * length
    force_mag, tau = 10.0, 0.02
    x, x_dot, theta, theta_dot = state
    force = force_mag if action == 1 else -force_mag
    costheta = np.cos(theta)
    sintheta = np.sin(theta)
    temp = (force + polemass_length * np.square(theta_dot) * sintheta) / total_mass
    thetaacc = (gravity * sintheta - costheta * temp) / (
        length * (4.0 / 3.0 - masspole * np.square(costheta) / total_mass))
    xacc = temp - polemass_length * thetaacc * costheta / total_mass
    x = x + tau * x_dot
    x_dot = x_dot + tau * xacc
    theta = theta + tau * theta_dot
    theta_dot = theta_dot + tau * thetaacc
    terminated = bool(x < -2.4 or x > 2.4 or theta < -12 * 2 * math.pi / 360 or theta > 12 * 2 * math.pi / 360)
    return [x, x_dot, theta, theta_dot], 1.0, terminated


def acrobot_dsdt(s_augmented):
    m1 = m2 = 1.0
    l1 = 1.0
    lc1 = lc2 = 0.5
    I1 = I2 = 1.0
    g = 9.8
    a = s_augmented[-1]
    s = s_augmented[:-1]
    theta1, theta2, dtheta1, dtheta2 = s
    d1 = m1 * lc1**2 + m2 * (l1**2 + lc2**2 + 2 * l1 * lc2 * cos(theta2)) + I1 + I2
    d2 = m2 * (lc2**2 + l1 * lc2 * cos(theta2)) + I2
    phi2 = m2 * lc2 * g * cos(theta1 + theta2 - pi / 2.0)
    phi1 = (-m2 * l1 * lc2 * dtheta2**2 * sin(theta2)
            - 2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sin(theta2)
            + (m1 * lc1 + m2 * l1) * g * cos(theta1 - pi / 2) + phi2)
    ddtheta2 = (a + d2 / d1 * phi1 - m2 * l1 * lc2 * dtheta1**2 * sin(theta2) - phi2) / (
        m2 * lc2**2 + I2 - d2**2 / d1)
    ddtheta1 = -(d2 * ddtheta2 + phi1) / d1
    return dtheta1, dtheta2, ddtheta1, ddtheta2, 0.0


def rk4(derivs, y0, t):
    yout = np.zeros((len(t), len(y0)), np.float64)
    yout[0] = y0
    for i in np.arange(len(t) - 1):
        dt = t[i + 1] - t[i]
        dt2 = dt / 2.0
        y0 = yout[i]
        k1 = np.asarray(derivs(y0))
        k2 = np.asarray(derivs(y0 + dt2 * k1))
        k3 = np.asarray(derivs(y0 + dt2 * k2))
        k4 = np.asarray(derivs(y0 + dt * k3))
        yout[i + 1] = y0 + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    return yout[-1][:4]


def wrap(x, m, M):
    diff = M - m
    while x > M:
        x = x - diff
    while x < m:
        x = x + diff
    return x


def acrobot_step(s, a):
    torque = [-1.0, 0.0, +1][a]
    ns = rk4(acrobot_dsdt, np.append(s, torque), [0, 0.2])
    ns[0] = wrap(ns[0], -pi, pi)
    ns[1] = wrap(ns[1], -pi, pi)
    ns[2] = min(max(ns[2], -4 * pi), 4 * pi)
    ns[3] = min(max(ns[3], -9 * pi), 9 * pi)
    terminated = bool(-cos(ns[0]) - cos(ns[1] + ns[0]) > 1.0)
    return list(ns), (-1.0 if not terminated else 0.0), terminated


def mountaincar_step(state, action):
    position, velocity = state
    velocity += (action - 1) * 0.001 + math.cos(3 * position) * (-0.0025)
    velocity = np.clip(velocity, -0.07, 0.07)
    position += velocity
    position = np.clip(position, -1.2, 0.6)
    if position == -1.2 and velocity < 0:
        velocity = 0
    terminated = bool(position >= 0.5 and velocity >= 0)
    return [float(position), float(velocity)], -1.0, terminated


def run(step, state, actions):
    out = []
    for h in range(len(actions)):
        a = actions[h] if isinstance(actions, list) else actions(state)
        state, reward, terminated = step(state, a)
        out.append({"action": a, "state": [float(v) for v in state], "reward": reward, "terminated": terminated})
        if terminated:
            break
    return out


class PumpingActions:
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __call__(self, s):
        return 0 if s[2] >= 0 else 2


rng = np.random.default_rng(0)
cases = {
    "cartpole": {"start": [0.01, -0.02, 0.03, 0.04],
                 "steps": run(cartpole_step, [0.01, -0.02, 0.03, 0.04], [int(v) for v in rng.integers(0, 2, 60)])},
    "acrobot_random": {"start": [0.05, -0.03, 0.02, 0.01],
                       "steps": run(acrobot_step, np.array([0.05, -0.03, 0.02, 0.01]),
                                    [int(v) for v in rng.integers(0, 3, 80)])},
    # torque against the first link's swing pumps energy: swings past ±pi (wrap), then terminates
    "acrobot_pumping": {"start": [0.05, -0.03, 0.02, 0.01],
                        "steps": run(acrobot_step, np.array([0.05, -0.03, 0.02, 0.01]), PumpingActions(500))},
    # a car pushed left into the wall, then right: exercises the inelastic wall and the clip
    "mountaincar": {"start": [-0.5, 0.0],
                    "steps": run(mountaincar_step, [-0.5, 0.0], [0] * 40 + [2] * 80 + [0] * 40 + [2] * 40)},
}
print(json.dumps(cases, indent=1))
