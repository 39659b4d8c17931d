import numpy as np

from monitor.stories.article_vectors import TITLE_WEIGHT, article_vectors, texts_to_embed
from monitor.stories.embedding import split_vectors

BODY = ("Thousands of people were evacuated from their homes around Wroclaw after the Oder river "
        "overflowed following days of heavy rain.\nBoats were used to reach cut-off villages near Opole.")


def _encode(e5):
    return lambda texts: e5.embed(texts, kind="query")


def test_title_and_first_prose_are_embedded_apart_and_the_lead_is_their_mean(e5):
    title = "Oder river overflows"
    head, body = texts_to_embed(title, title + "\n" + BODY, 200)
    assert head == title and body.startswith("Thousands") and title not in body and len(body) <= 200
    rows = article_vectors([(title, title + "\n" + BODY)], 200, _encode(e5))
    lead, title_vector = split_vectors(rows[0], e5.dim)
    t, b = e5.embed([head, body], kind="query")
    expected = TITLE_WEIGHT * t + (1 - TITLE_WEIGHT) * b
    assert np.allclose(title_vector, t, atol=1e-5)
    assert np.allclose(lead, expected / np.linalg.norm(expected), atol=1e-5)
    assert abs(float(np.linalg.norm(lead)) - 1.0) < 1e-5


def test_titles_can_be_encoded_by_their_own_function_and_a_page_without_prose_uses_its_title(e5):
    seen: list[list[str]] = []

    def titles(texts):
        seen.append(list(texts))
        return e5.embed(texts, kind="query")

    assert texts_to_embed("Short notice", "+A -A", 200) == ("Short notice", "Short notice")
    rows = article_vectors([("Short notice", "+A -A"), ("", BODY)], 200, _encode(e5), titles)
    assert rows.shape == (2, 2 * e5.dim)
    assert seen == [["Short notice", BODY.splitlines()[0][:200]]]  # no title: the first prose line
    lead, title_vector = split_vectors(rows[0], e5.dim)
    assert np.allclose(lead, title_vector, atol=1e-5)
    assert article_vectors([], 200, _encode(e5)).shape == (0, 2 * e5.dim)
