from __future__ import annotations

from pathlib import Path

from monitor.alerts.policy import WatchlistDelivery
from monitor.models import Story, StoryArticle
from monitor.watch import WatchlistSet, load_watchlists, match_story

CHANNELS = {"ops-email", "team-chat"}

GOOD = """\
channels = ["ops-email"]
terms = ["Baghouz", "الباغوز", "\\"Mustafa Bali\\""]
query = '(Baghouz OR الباغوز OR बघौज) AND NOT title:football'
exclude = ["football"]
languages = ["ar", "en-GB"]
[[weighted]]
term = "car bomb"
weight = 1.5
[delivery]
mode = "digest"
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def story(text: str, title: str = "", language: str = "en") -> Story:
    from datetime import UTC, datetime

    article = StoryArticle(1, title, text, "http://x/1", language, "wire", None)
    return Story(1, title, datetime(2026, 1, 1, tzinfo=UTC), (article,))


def test_good_file_loads_with_its_settings(tmp_path: Path) -> None:
    write(tmp_path, "syria.toml", GOOD)
    watchlists, errors = load_watchlists(tmp_path, channels=CHANNELS)
    assert errors == []
    [w] = watchlists
    assert w.name == "syria" and w.channels == ("ops-email",)
    assert w.delivery == WatchlistDelivery(mode="digest")
    assert w.languages == frozenset({"ar", "en"})
    assert [t.term for t in w.weighted] == ["car bomb"]


def test_broken_files_are_reported_and_skipped_the_others_load(tmp_path: Path) -> None:
    write(tmp_path, "a_good.toml", 'name = "good"\nterms = ["x"]\n')
    write(tmp_path, "b_typo.toml", 'terms = ["x"]\nchanels = ["ops-email"]\n')
    write(tmp_path, "c_query.toml", 'channels = ["ops-email"]\n\nquery = "(Baghouz OR داعش"\n')
    write(tmp_path, "d_channel.toml", 'channels = ["ops-email", "pager"]\nterms = ["x"]\n')
    watchlists, errors = load_watchlists(tmp_path, channels=CHANNELS)
    assert [w.name for w in watchlists] == ["good"]
    by_file = {Path(e.file).name: e for e in errors}
    assert set(by_file) == {"b_typo.toml", "c_query.toml", "d_channel.toml"}

    typo = by_file["b_typo.toml"]
    assert (typo.key, typo.line) == ("chanels", 2)
    assert "did you mean 'channels'" in str(typo)

    query = by_file["c_query.toml"]
    assert (query.key, query.line) == ("query", 3)
    assert "unclosed '('" in str(query)
    assert "column 10 of the file" in str(query)  # the '(' sits at column 10 of line 3

    channel = by_file["d_channel.toml"]
    assert channel.key == "channels[1]" and "'pager'" in str(channel)


def test_other_errors_name_key_and_line(tmp_path: Path) -> None:
    write(tmp_path, "empty.toml", 'channels = ["ops-email"]\n')
    write(tmp_path, "toml.toml", 'name = "t"\nterms = [x]\n')
    write(tmp_path, "delivery.toml", 'terms = ["x"]\n[delivery]\nmode = "sometimes"\n')
    write(tmp_path, "about.toml", 'about = ["fighting in Syria"]\n')
    write(tmp_path, "term.toml", 'terms = ["ok"]\n[[weighted]]\nterm = "—"\n')
    _, errors = load_watchlists(tmp_path, channels=CHANNELS)
    by_file = {Path(e.file).name: e for e in errors}
    assert "at least one of" in str(by_file["empty.toml"])
    assert "invalid TOML" in str(by_file["toml.toml"]) and by_file["toml.toml"].line == 2
    assert (by_file["delivery.toml"].key, by_file["delivery.toml"].line) == ("delivery.mode", 3)
    assert by_file["about.toml"].key == "about" and "embedder" in str(by_file["about.toml"])
    assert (by_file["term.toml"].key, by_file["term.toml"].line) == ("weighted[0].term", 3)


def test_duplicate_names_keep_the_first(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", 'name = "same"\nterms = ["x"]\n')
    write(tmp_path, "b.toml", 'name = "same"\nterms = ["y"]\n')
    watchlists, errors = load_watchlists(tmp_path, channels=None)
    assert [w.file.name for w in watchlists if w.file] == ["a.toml"]
    assert [Path(e.file).name for e in errors] == ["b.toml"]


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    watchlists, errors = load_watchlists(tmp_path / "nope", channels=CHANNELS)
    assert watchlists == [] and "does not exist" in str(errors[0])


def test_reload_keeps_last_good_version_and_drops_deleted_files(tmp_path: Path) -> None:
    path = write(tmp_path, "w.toml", 'channels = ["team-chat"]\nterms = ["Baghouz"]\n')
    write(tmp_path, "other.toml", 'terms = ["x"]\n')
    wset = WatchlistSet(tmp_path, CHANNELS, None)
    assert wset.errors == [] and {w.name for w in wset.current()} == {"w", "other"}
    assert wset.reload_if_changed() == []

    path.write_text('channels = ["team-chat"]\nquery = "Baghouz AND ("\n', encoding="utf-8")
    errors = wset.reload_if_changed()
    assert len(errors) == 1 and errors[0].key == "query"
    [kept] = [w for w in wset.current() if w.name == "w"]
    assert match_story([kept], story("fighting at Baghouz"))  # still the old terms
    assert wset.errors == errors

    path.write_text('channels = ["team-chat"]\nquery = "Hajin"\n', encoding="utf-8")
    assert wset.reload_if_changed() == []
    assert wset.errors == []
    [new] = [w for w in wset.current() if w.name == "w"]
    assert match_story([new], story("fighting at Hajin")) and not match_story([new], story("Baghouz"))

    path.unlink()
    assert wset.reload_if_changed() == []
    assert [w.name for w in wset.current()] == ["other"]


def test_broken_file_at_start_is_skipped_until_fixed(tmp_path: Path) -> None:
    path = write(tmp_path, "w.toml", 'terms = ["x"]\nchannels = ["nowhere"]\n')
    wset = WatchlistSet(tmp_path, CHANNELS, None)
    assert wset.current() == [] and wset.errors[0].key == "channels[0]"
    path.write_text('terms = ["x"]\nchannels = ["ops-email"]\n', encoding="utf-8")
    assert wset.reload_if_changed() == [] and [w.name for w in wset.current()] == ["w"]


def test_typo_in_a_nested_table_is_named_with_a_suggestion(tmp_path: Path) -> None:
    write(tmp_path, "w.toml",
          'terms = ["x"]\n[delivery]\nmdoe = "digest"\n[[weighted]]\nterm = "y"\nwieght = 2\n')
    _, errors = load_watchlists(tmp_path, channels=None)
    found = {e.key: (e.line, str(e)) for e in errors}
    assert found["delivery.mdoe"][0] == 3 and "did you mean 'mode'" in found["delivery.mdoe"][1]
    assert found["weighted[0].wieght"][0] == 6 and "did you mean 'weight'" in found["weighted[0].wieght"][1]


def test_public_surface() -> None:
    import monitor.watch

    assert sorted(monitor.watch.__all__) == ["Watchlist", "WatchlistSet", "load_watchlists", "match_article",
                                             "match_story"]


def test_hidden_files_are_not_watchlists(tmp_path: Path) -> None:
    write(tmp_path, ".#w.toml", "not toml at all [")
    write(tmp_path, "w.toml", 'terms = ["x"]\n')
    watchlists, errors = load_watchlists(tmp_path, channels=None)
    assert [w.name for w in watchlists] == ["w"] and errors == []
    assert [w.name for w in WatchlistSet(tmp_path, None, None).current()] == ["w"]


def test_non_utf8_file_is_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "latin1.toml").write_bytes('terms = ["Café"]\n'.encode("latin-1"))
    write(tmp_path, "w.toml", 'terms = ["x"]\n')
    watchlists, errors = load_watchlists(tmp_path, channels=None)
    assert [w.name for w in watchlists] == ["w"]
    assert [(Path(e.file).name, "not UTF-8 text" in str(e)) for e in errors] == [("latin1.toml", True)]


def test_duplicate_name_is_reported_once_and_goes_away_when_renamed(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", 'name = "same"\nterms = ["x"]\n')
    second = write(tmp_path, "b.toml", 'name = "same"\nterms = ["y"]\n')
    wset = WatchlistSet(tmp_path, None, None)
    assert [w.file.name for w in wset.current() if w.file] == ["a.toml"]
    [error] = wset.errors
    assert Path(error.file or "").name == "b.toml" and "also in a.toml" in str(error)
    assert wset.reload_if_changed() == []  # nothing new to report
    assert len(wset.errors) == 1

    second.write_text('name = "other"\nterms = ["y"]\n', encoding="utf-8")
    assert wset.reload_if_changed() == [] and wset.errors == []
    assert [w.name for w in wset.current()] == ["same", "other"]


def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "folder.toml").mkdir()  # globbed like a file, cannot be read as one
    [error] = load_watchlists(tmp_path, channels=None)[1]
    assert Path(error.file or "").name == "folder.toml" and "cannot read" in str(error)


class CountingEmbedder:
    """A stand-in model that counts the texts it embeds (the reference set is most of them)."""

    name, dim = "counting", 2

    def __init__(self) -> None:
        self.texts = 0

    def embed(self, texts, kind="passage"):  # type: ignore[no-untyped-def]
        import numpy as np

        self.texts += len(texts)
        return np.tile(np.array([[1.0, 0.0]], dtype=np.float32), (len(texts), 1))


def test_reconfigure_keeps_the_last_good_version_and_the_embeddings(tmp_path: Path) -> None:
    path = write(tmp_path, "w.toml", 'channels = ["team-chat"]\nterms = ["Baghouz"]\n')
    write(tmp_path, "topic.toml", 'about = ["fighting in Syria"]\n')
    embedder = CountingEmbedder()
    wset = WatchlistSet(tmp_path, CHANNELS, embedder)
    assert wset.errors == [] and embedder.texts == 0  # descriptions are embedded when first needed
    [topic] = [w for w in wset.current() if w.name == "topic"]
    assert topic.about is not None and topic.about.vectors.shape[0] == 1
    embedded = embedder.texts
    assert embedded > 0

    path.write_text('channels = ["team-chat"]\nquery = "Baghouz AND ("\n', encoding="utf-8")
    [error] = wset.reconfigure(tmp_path, set(CHANNELS))
    assert error.key == "query" and wset.errors == [error]
    [kept] = [w for w in wset.current() if w.name == "w"]
    assert match_story([kept], story("fighting at Baghouz"))  # still the old terms
    assert [w.name for w in wset.current()] == ["topic", "w"]
    assert embedder.texts == embedded  # neither the reference set nor the description embedded again


def test_reconfigure_with_other_channels_checks_the_files_again(tmp_path: Path) -> None:
    write(tmp_path, "chat.toml", 'channels = ["team-chat"]\nterms = ["x"]\n')
    write(tmp_path, "pager.toml", 'channels = ["pager"]\nterms = ["x"]\n')
    write(tmp_path, "topic.toml", 'channels = ["ops-email"]\nabout = ["fighting in Syria"]\n')
    embedder = CountingEmbedder()
    wset = WatchlistSet(tmp_path, CHANNELS, embedder)
    assert [w.name for w in wset.current()] == ["chat", "topic"]
    assert [e.key for e in wset.errors] == ["channels[0]"]
    embedded = embedder.texts

    # "pager" added, "team-chat" removed: the watchlist naming it stops matching (no last good version)
    [error] = wset.reconfigure(tmp_path, {"ops-email", "pager"})
    assert [w.name for w in wset.current()] == ["pager", "topic"]
    assert Path(error.file or "").name == "chat.toml" and "'team-chat'" in str(error)
    assert wset.errors == [error]
    assert embedder.texts == embedded  # the unaffected 'about' file was not embedded again

    assert wset.reconfigure(tmp_path, set(CHANNELS) | {"pager"}) == []
    assert [w.name for w in wset.current()] == ["chat", "pager", "topic"] and wset.errors == []


def test_reconfigure_with_another_folder_loads_it_from_scratch(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    write(first, "a.toml", 'terms = ["x"]\n')
    write(second, "b.toml", 'terms = ["y"]\n')
    wset = WatchlistSet(first, None, None)
    assert wset.reconfigure(second, None) == []
    assert [w.name for w in wset.current()] == ["b"] and wset.directory == second


def test_languages_are_normalised_like_the_stored_articles(tmp_path: Path) -> None:
    write(tmp_path, "w.toml", 'terms = ["Baghouz"]\nlanguages = ["eng", "pt_BR", "AR-sy"]\n')
    write(tmp_path, "bad.toml", 'terms = ["x"]\n\nlanguages = ["en", "klingon"]\n')
    [w], [error] = load_watchlists(tmp_path, channels=None)
    assert w.languages == frozenset({"en", "pt", "ar"})
    assert match_story([w], story("fighting at Baghouz", language="en"))
    assert match_story([w], story("fighting at Baghouz", language="eng"))
    assert not match_story([w], story("fighting at Baghouz", language="de"))
    assert Path(error.file or "").name == "bad.toml" and (error.key, error.line) == ("languages", 3)
    assert "unknown language 'klingon'" in str(error)
