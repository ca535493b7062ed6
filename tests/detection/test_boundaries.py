"""Dependencies point down: detection announces through its own signals and never imports notify."""

from __future__ import annotations

import ast
from pathlib import Path

import yuqing.detection

DETECTION = Path(yuqing.detection.__file__).parent


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_module_under_detection_imports_notify() -> None:
    offenders = {str(path.relative_to(DETECTION)): sorted(n for n in imported_modules(path)
                                                          if n == "yuqing.notify" or n.startswith("yuqing.notify."))
                 for path in DETECTION.rglob("*.py")}
    assert {path: names for path, names in offenders.items() if names} == {}
    assert len(offenders) > 10  # the walk really saw detection's modules


def test_the_check_catches_an_import(tmp_path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from yuqing.notify.alerts import raise_alert\n", encoding="utf-8")
    assert "yuqing.notify.alerts" in imported_modules(sample)
    sample.write_text("from yuqing import notify\n", encoding="utf-8")
    assert "yuqing.notify" in imported_modules(sample)
