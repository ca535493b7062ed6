"""Command line for ``yuqing analyze [FILE|-] --format json``: one JSON object per input line."""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from yuqing.analysis.analysis import analyze_many
from yuqing.analysis.classifier import Classifier, ModelFileError, load_classifier

EXIT_OK = 0
EXIT_USAGE = 2
BATCH_SIZE = 2000


class _Parser(argparse.ArgumentParser):
    """Argument parser that reports errors with exit code 2 without printing the whole usage twice."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="yuqing analyze",
        description="Score each input line: negativity (0..1), label, offensive score and categories of concern.",
    )
    parser.add_argument(
        "file", nargs="?", default="-", help="UTF-8 text file, one post per line; '-' = stdin"
    )
    parser.add_argument("--format", choices=["json"], default="json", help="output format (JSON lines)")
    parser.add_argument("--model", type=Path, default=None, help="negativity model .npz (default: shipped)")
    return parser


def _batches(stream: TextIO) -> Iterator[list[str]]:
    batch: list[str] = []
    for line in stream:
        batch.append(line.rstrip("\r\n"))
        if len(batch) >= BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def _run(stream: TextIO, out: TextIO, classifier: Classifier) -> None:
    number = 0
    for batch in _batches(stream):
        for result in analyze_many(batch, classifier=classifier):
            number += 1
            out.write(json.dumps({"line": number, **result.to_dict()}, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code (0 success, 2 bad input or arguments)."""
    args = build_parser().parse_args(argv)
    try:
        classifier = load_classifier(args.model)
    except ModelFileError as exc:
        print(f"yuqing analyze: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.file == "-":
            # Read stdin as UTF-8 whatever the locale says; a text-only stream (tests) is used as it is.
            buffer = getattr(sys.stdin, "buffer", None)
            stream = io.TextIOWrapper(buffer, encoding="utf-8") if buffer is not None else sys.stdin
        else:
            stream = open(args.file, encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as exc:
        print(f"yuqing analyze: error: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        _run(stream, sys.stdout, classifier)
    except UnicodeDecodeError as exc:
        print(
            f"yuqing analyze: error: {args.file} is not valid UTF-8 (byte offset {exc.start})",
            file=sys.stderr,
        )
        return EXIT_USAGE
    finally:
        if args.file != "-":
            stream.close()
        elif isinstance(stream, io.TextIOWrapper):
            stream.detach()  # leave the process's stdin open
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
