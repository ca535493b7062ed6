"""Text checks (SPEC R5): evasion-resistant lexicon matching, personal data, links and format policy.

Pure library, no Django import. Typical use::

    from yuqing.textcheck import default_checker
    findings = default_checker().check(text)
"""

from .checker import TextChecker, check_text, default_checker
from .findings import Category, Finding, Severity, has_blocking
from .format_policy import Draft, FormatPolicy, MediaFile, check_format
from .lexicon import Entry, Lexicon, LexiconError, load_default_lexicons, load_lexicon, parse_lexicon
from .links import LinkPolicy, check_broken_links, extract_links
from .normalize import normalize, normalize_text
from .personal_data import PersonalDataConfig

__all__ = [
    "Category",
    "Draft",
    "Entry",
    "Finding",
    "FormatPolicy",
    "Lexicon",
    "LexiconError",
    "LinkPolicy",
    "MediaFile",
    "PersonalDataConfig",
    "Severity",
    "TextChecker",
    "check_broken_links",
    "check_format",
    "check_text",
    "default_checker",
    "extract_links",
    "has_blocking",
    "load_default_lexicons",
    "load_lexicon",
    "normalize",
    "normalize_text",
    "parse_lexicon",
]
