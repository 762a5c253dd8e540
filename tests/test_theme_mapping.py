"""How a refit's topics map onto existing themes (pure function, no model)."""

from __future__ import annotations

import numpy as np

from vocportal.themes.refit import match_topics


def unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_each_topic_keeps_its_most_similar_theme():
    old = np.vstack([unit(1, 0, 0), unit(0, 1, 0), unit(0, 0, 1)])
    new = np.vstack([unit(0, 0.1, 1), unit(1, 0.05, 0), unit(0.02, 1, 0)])
    assert match_topics(new, old) == {0: 2, 1: 0, 2: 1}


def test_a_strong_pair_is_not_traded_for_two_weak_ones():
    # sim(A,X)=0.95, sim(B,X)=0.79, sim(A,Y)=0.50, sim(B,Y)=0: A must keep X.
    new = np.array([[0.95, 0.50], [0.79, 0.0]], dtype=np.float32)
    old = np.eye(2, dtype=np.float32)
    assert match_topics(new, old) == {0: 0}


def test_nothing_similar_enough_maps_nothing():
    old = np.vstack([unit(1, 0, 0)])
    new = np.vstack([unit(0, 1, 0)])
    assert match_topics(new, old) == {}
    assert match_topics(np.zeros((0, 3), np.float32), old) == {}
