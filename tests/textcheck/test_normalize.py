"""Normalisation defeats evasion and keeps an exact map back to the original text."""

from yuqing.textcheck import normalize, normalize_text
from yuqing.textcheck.normalize import normalize_bulk


def test_spaces_symbols_and_zero_width_characters_are_removed():
    for evasive in ["赌 博", "赌*博", "赌\u200b博", "赌\u3000博", "赌😀博", "赌-_-博", "赌\u0336博", "赌\ufeff博"]:
        assert normalize_text(evasive) == "赌博", evasive


def test_traditional_characters_become_simplified():
    assert normalize_text("賭博網站") == "赌博网站"


def test_full_width_letters_and_digits_become_half_width_lower_case():
    assert normalize_text("ＡＢＣ１２３Def") == "abc123def"


def test_sentence_terminators_and_line_breaks_are_kept_as_boundaries():
    assert normalize_text("赌。博\n好！") == "赌。博\n好!"


def test_offsets_point_at_the_original_characters():
    text = "網 上*賭\u200b場"
    normalized, offsets = normalize(text)
    assert normalized == "网上赌场"
    assert offsets == [0, 2, 4, 6]
    assert [text[i] for i in offsets] == ["網", "上", "賭", "場"]


def test_astral_emoji_count_as_one_character_in_offsets():
    text = "😀😀赌博"
    normalized, offsets = normalize(text)
    assert normalized == "赌博"
    assert offsets == [2, 3]


def test_multi_character_compatibility_forms_are_kept_one_to_one():
    normalized, offsets = normalize("ﬁⅫ")
    assert (len(normalized), offsets) == (2, [0, 1])


def test_bulk_normalisation_agrees_with_normalize():
    text = "網 上*賭\u200b場 ＡＢＣ 😀 最后。\n" * 50
    normalized, offsets = normalize(text)
    bulk_normalized, bulk_offsets = normalize_bulk(text)
    assert bulk_normalized == normalized
    assert bulk_offsets.tolist() == offsets


def test_empty_text():
    assert normalize("") == ("", [])


def test_tables_read_from_the_cache_equal_freshly_built_ones(tmp_path, monkeypatch):
    import importlib

    import numpy as np

    module = importlib.import_module("yuqing.textcheck.normalize")

    monkeypatch.setenv("YUQING_CACHE_DIR", str(tmp_path))
    built = module._cached_mapping()  # builds and writes the cache
    (cached,) = tmp_path.glob("textcheck-normalize-*.npy")
    assert np.array_equal(np.load(cached), built)
    assert np.array_equal(module._cached_mapping(), module.build_mapping())
    cached.write_bytes(b"not an array")  # a damaged cache is rebuilt, not trusted
    assert np.array_equal(module._cached_mapping(), built)
