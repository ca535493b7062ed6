"""Pure detection library: scheme keyword expressions and level grading (no Django import)."""

from yuqing.detection.expressions import (
    And,
    CompiledExpression,
    ExpressionError,
    MatchResult,
    Node,
    Not,
    Or,
    SchemeSet,
    Term,
    compile_expression,
    evaluate,
    light_normalize,
    matched_terms,
)
from yuqing.detection.grading import Grading, Level, LevelRules, Metrics, RulesError, Thresholds, grade

__all__ = [
    "And",
    "CompiledExpression",
    "ExpressionError",
    "Grading",
    "Level",
    "LevelRules",
    "MatchResult",
    "Metrics",
    "Node",
    "Not",
    "Or",
    "RulesError",
    "SchemeSet",
    "Term",
    "Thresholds",
    "compile_expression",
    "evaluate",
    "grade",
    "light_normalize",
    "matched_terms",
]
