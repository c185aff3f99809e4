"""Derived values: a small arithmetic formula over named input observations, evaluated exactly."""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar, cast

# Numbers that support + - * / and unary minus: Decimal, or the checks' intervals.
N = TypeVar("N")

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


def formula_names(formula: str) -> set[str]:
    """The input names a formula uses; raises ValueError if it is not plain arithmetic."""
    tree = _parse(formula)
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def evaluate(formula: str, inputs: Mapping[str, Decimal]) -> Decimal:
    """Evaluate `formula` (+ - * / and parentheses over names and numbers) with Decimal inputs."""
    return evaluate_over(formula, inputs, lambda number: number)


def evaluate_over(formula: str, inputs: Mapping[str, N], lift: Callable[[Decimal], N]) -> N:
    """Evaluate `formula` over any numbers that add, subtract, multiply, divide and negate
    (intervals, for the checks): `lift` turns a constant of the formula into one."""

    def walk(node: ast.AST) -> N:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return cast(N, _BINARY[type(node.op)](walk(node.left), walk(node.right)))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            operand: Any = walk(node.operand)
            return cast(N, -operand)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return lift(Decimal(str(node.value)))
        if isinstance(node, ast.Name):
            if node.id not in inputs:
                raise ValueError(f"formula uses {node.id!r}, which is not among its inputs")
            return inputs[node.id]
        raise ValueError(f"formula {formula!r} may use only + - * / ( ), numbers and input names")

    return walk(_parse(formula))


def _parse(formula: str) -> ast.Expression:
    try:
        tree = ast.parse(formula, mode="eval")
    except SyntaxError:
        raise ValueError(f"formula {formula!r} is not an arithmetic expression") from None
    allowed = (
        ast.Expression,
        ast.BinOp,
        ast.UnaryOp,
        ast.Constant,
        ast.Name,
        ast.Load,
        ast.Add,
        ast.Sub,
        ast.Mult,
        ast.Div,
        ast.USub,
    )
    for node in ast.walk(tree):
        if not isinstance(node, allowed):
            raise ValueError(
                f"formula {formula!r} may use only + - * / ( ), numbers and input names"
            )
    return tree
