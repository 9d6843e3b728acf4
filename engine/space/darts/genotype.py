"""DARTS cells as data: the edges of a cell, where reduction cells sit, and the derived cell.

A cell has two input states (the outputs of the two previous cells) and `nodes` intermediate
nodes; node i (0-based) reads every earlier state, i.e. i + 2 edges, so a cell has
sum(i + 2) edges, listed node by node. The search learns per edge an operation weight vector
alpha (softmax over the candidate ops) and per node an edge weight vector beta (softmax over
its incoming edges, PC-DARTS "edge normalisation"). Pure Python and numpy: no JAX.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

NONE_OP = "none"


def cell_edges(nodes: int) -> list[tuple[int, int]]:
    """(node, input state) of every edge, node by node; states 0 and 1 are the cell inputs.

    Example:
        >>> cell_edges(2)
        [(0, 0), (0, 1), (1, 0), (1, 1), (1, 2)]
    """
    return [(node, state) for node in range(nodes) for state in range(node + 2)]


def node_edge_slices(nodes: int) -> list[slice]:
    """The slice of the edge list that feeds each node.

    Example:
        >>> node_edge_slices(2)
        [slice(0, 2, None), slice(2, 5, None)]
    """
    slices, start = [], 0
    for node in range(nodes):
        slices.append(slice(start, start + node + 2))
        start += node + 2
    return slices


def reduction_cells(cells: int) -> tuple[int, ...]:
    """Indices of the reduction cells, at 1/3 and 2/3 of the depth (as DARTS places them).

    Example:
        >>> reduction_cells(8), reduction_cells(3), reduction_cells(1)
        ((2, 5), (1, 2), (0,))
    """
    return tuple(sorted({cells // 3, 2 * cells // 3}))


@dataclass(frozen=True)
class Genotype:
    """A derived architecture: per cell kind, two (op, input state) pairs per node."""

    normal: tuple[tuple[tuple[str, int], ...], ...]
    reduce: tuple[tuple[tuple[str, int], ...], ...]

    def to_json(self) -> dict[str, Any]:
        return {kind: [[list(edge) for edge in node] for node in getattr(self, kind)] for kind in ("normal", "reduce")}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Genotype":
        return cls(*(tuple(tuple((str(op), int(state)) for op, state in node) for node in data[kind])
                     for kind in ("normal", "reduce")))


def softmax(values: np.ndarray, axis: int = -1) -> np.ndarray:
    shifted = np.exp(values - np.max(values, axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def derive_cell(alpha: np.ndarray, beta: np.ndarray, ops: Sequence[str], nodes: int,
                keep: int = 2) -> tuple[tuple[tuple[str, int], ...], ...]:
    """The derived cell: per node the `keep` incoming edges of greatest strength, each with its
    strongest op other than 'none' (PC-DARTS: edge strength = softmax(beta) over the node's
    edges x the largest non-'none' softmax(alpha) of the edge).

    Example:
        >>> ops = ["none", "skip_connect", "sep_conv_3x3"]
        >>> alpha = np.array([[9, 0, 1], [0, 0, 3], [0, 2, 0], [0, 0, 0], [5, 0, 0.]])
        >>> derive_cell(alpha, np.zeros(5), ops, 2)
        ((('sep_conv_3x3', 1), ('sep_conv_3x3', 0)), (('skip_connect', 0), ('skip_connect', 1)))
    """
    weights = softmax(np.asarray(alpha, np.float64))
    real = [i for i, op in enumerate(ops) if op != NONE_OP]
    cell = []
    for node, part in enumerate(node_edge_slices(nodes)):
        edge_weight = softmax(np.asarray(beta[part], np.float64))
        strength = [edge_weight[k] * weights[part][k, real].max() for k in range(node + 2)]
        order = sorted(range(node + 2), key=lambda k: (-strength[k], k))[:keep]
        cell.append(tuple((ops[real[int(np.argmax(weights[part][k, real]))]], k) for k in order))
    return tuple(cell)


def derive(arch: dict[str, np.ndarray], ops: Sequence[str], nodes: int) -> Genotype:
    """The genotype of architecture parameters {alpha_normal, alpha_reduce, beta_normal, beta_reduce}."""
    return Genotype(derive_cell(arch["alpha_normal"], arch["beta_normal"], ops, nodes),
                    derive_cell(arch["alpha_reduce"], arch["beta_reduce"], ops, nodes))
