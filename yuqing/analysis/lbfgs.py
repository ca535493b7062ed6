"""Numpy-only L-BFGS minimiser, so that retraining works from the base install without scipy or sklearn."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Objective = Callable[[np.ndarray], tuple[float, np.ndarray]]


@dataclass
class LbfgsResult:
    """Solution vector, final objective value, iterations used and whether the gradient test was met."""

    x: np.ndarray
    value: float
    iterations: int
    converged: bool


def minimise(
    fun: Objective,
    x0: np.ndarray,
    max_iter: int = 300,
    memory: int = 10,
    gtol: float = 1e-5,
    ftol: float = 1e-9,
) -> LbfgsResult:
    """Minimise a smooth function given by ``fun(x) -> (value, gradient)`` with backtracking Armijo steps."""
    x = x0.astype(np.float64, copy=True)
    value, grad = fun(x)
    s_hist: list[np.ndarray] = []
    y_hist: list[np.ndarray] = []
    rho_hist: list[float] = []
    converged = False
    iteration = 0
    while iteration < max_iter:
        iteration += 1
        if np.max(np.abs(grad)) < gtol:
            converged = True
            break
        # Two-loop recursion: approximate inverse-Hessian times gradient.
        q = grad.copy()
        alphas = []
        for s, y, rho in zip(reversed(s_hist), reversed(y_hist), reversed(rho_hist), strict=True):
            alpha = rho * float(s @ q)
            alphas.append(alpha)
            q -= alpha * y
        if y_hist:
            q *= float(s_hist[-1] @ y_hist[-1]) / float(y_hist[-1] @ y_hist[-1])
        else:
            q /= max(1.0, float(np.linalg.norm(grad)))
        for (s, y, rho), alpha in zip(
            zip(s_hist, y_hist, rho_hist, strict=True), reversed(alphas), strict=True
        ):
            beta = rho * float(y @ q)
            q += (alpha - beta) * s
        direction = -q
        slope = float(grad @ direction)
        if slope >= 0:  # not a descent direction: restart from steepest descent
            s_hist.clear()
            y_hist.clear()
            rho_hist.clear()
            direction = -grad
            slope = float(grad @ direction)
        step = 1.0
        while True:
            candidate = x + step * direction
            new_value, new_grad = fun(candidate)
            if new_value <= value + 1e-4 * step * slope or step < 1e-10:
                break
            step *= 0.5
        s_vec = candidate - x
        y_vec = new_grad - grad
        sy = float(s_vec @ y_vec)
        if sy > 1e-12:
            s_hist.append(s_vec)
            y_hist.append(y_vec)
            rho_hist.append(1.0 / sy)
            if len(s_hist) > memory:
                s_hist.pop(0)
                y_hist.pop(0)
                rho_hist.pop(0)
        improvement = value - new_value
        x, value, grad = candidate, new_value, new_grad
        if 0 <= improvement <= ftol * max(1.0, abs(value)):
            converged = True
            break
    return LbfgsResult(x=x, value=float(value), iterations=iteration, converged=converged)
