import random

from monitor.stories.fingerprint import SimHashIndex, hamming, simhash, text_hash

_VOCAB = ("army town river council minister said forces attack village water election court border "
          "police report market price bank storm flood school hospital train airport fire")
WORDS = _VOCAB.split()


def _article(seed: int, n: int = 120) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(n)) + f" unique{seed}"


def test_text_hash_ignores_case_spacing_punctuation_and_title_of_long_text():
    body = _article(9, 40)
    assert text_hash("Title", body.upper()) == text_hash("Other title", " ,".join(body.split()))
    assert text_hash("Title", body) != text_hash("Title", body.replace(" ", " x ", 1))


def test_text_hash_of_short_text_includes_the_title():
    assert text_hash("One", "Short text.") != text_hash("Two", "Short text.")


def test_simhash_is_signed_64_bit_and_none_for_short_text():
    value = simhash(_article(1))
    assert value is not None and -(1 << 63) <= value < (1 << 63)
    assert simhash("too short to fingerprint") is None


def test_wire_copy_with_small_edits_is_near_and_other_text_far():
    text = _article(2, 300)
    copy = "By Agency Staff. " + text.replace("army", "troops", 1) + " Copyright 2026 Agency."
    assert hamming(simhash(text), simhash(copy)) <= 6
    assert hamming(simhash(text), simhash(_article(3, 300))) > 12


def test_simhash_index_finds_nearest_and_forgets_removed():
    index = SimHashIndex()
    values = {k: simhash(_article(k, 200)) for k in range(1, 1500)}  # forces growth and compaction
    for key, value in values.items():
        index.add(key, value)
    assert index.nearest(values[42], 0) == (42, 0)
    index.remove({42})
    found = index.nearest(values[42], 64)
    assert found is not None and found[0] != 42
    assert index.nearest(values[42], 0) is None
    assert len(index) == len(values) - 1
