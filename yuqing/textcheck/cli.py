"""`yuqing check-text`: check a file or standard input and print the findings.

Exit status: 0 when no finding has severity block, 1 when one does, 2 on a usage or input error.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from .checker import TextChecker, default_checker
from .findings import Finding, findings_json, has_blocking
from .lexicon import LexiconError, load_lexicon

EXIT_CLEAN = 0
EXIT_BLOCKING = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="yuqing check-text",
        description="Check Chinese text for sensitive and erroneous wording, personal data and links.",
        epilog="Exit status: 0 no blocking finding, 1 blocking finding(s), 2 usage or input error.",
    )
    parser.add_argument("file", nargs="?", default="-", metavar="FILE|-", help="UTF-8 text file, '-' for stdin")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.add_argument("--lexicon", action="append", default=[], metavar="PATH",
                        help="extra lexicon file (terms or allow list); may be repeated")
    parser.add_argument("--check-links", action="store_true", help="also request every link over HTTP")
    parser.add_argument("--allow-private", action="store_true",
                        help="with --check-links, allow private and loopback addresses")
    parser.add_argument("--timeout", type=float, default=5.0, help="HTTP timeout in seconds (default 5)")
    return parser


def _read_input(name: str, stdin: TextIO) -> str:
    if name == "-":
        data = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read().encode("utf-8")
    else:
        with open(name, "rb") as fh:
            data = fh.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{'standard input' if name == '-' else name} is not valid UTF-8 "
                         f"(byte {exc.start})") from exc


def format_text(findings: list[Finding]) -> str:
    if not findings:
        return "no findings"
    lines = []
    for f in findings:
        where = f"{f.start}-{f.end}" if f.start is not None else "-"
        hint = f"  → {f.suggestion}" if f.suggestion else ""
        lines.append(f"{where}\t{f.severity}\t{f.category}\t{f.rule_id}\t{f.matched}{hint}")
    return "\n".join(lines)


def main(argv: list[str] | None = None, *, stdin: TextIO | None = None, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage message
        return EXIT_USAGE if exc.code else EXIT_CLEAN
    try:
        text = _read_input(args.file, stdin)
        extra = [load_lexicon(path) for path in args.lexicon]
    except LexiconError as exc:
        print(f"yuqing check-text: invalid lexicon: {exc}", file=stderr)
        return EXIT_USAGE
    except (OSError, ValueError) as exc:
        print(f"yuqing check-text: cannot read input: {exc}", file=stderr)
        return EXIT_USAGE
    checker = TextChecker(extra_lexicons=extra) if extra else default_checker()
    findings = checker.check(text, check_links=args.check_links, allow_private=args.allow_private,
                             timeout=args.timeout)
    if args.format == "json":
        stdout.write(findings_json(findings) + "\n")  # the same text as json.dump(..., indent=2)
    else:
        stdout.write(format_text(findings) + "\n")
    return EXIT_BLOCKING if has_blocking(findings) else EXIT_CLEAN


if __name__ == "__main__":
    sys.exit(main())
