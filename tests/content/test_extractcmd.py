"""`monitor extract`: JSON Lines per input, files and URLs (served on loopback), errors per input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.demo.site_server import SiteServer

SITE = Path(__file__).resolve().parents[2] / "monitor" / "demo" / "site"  # the pages the demo serves
SEED = SITE / "en-baghouz-encampment.html"


def run(capsys: pytest.CaptureFixture[str], *inputs: str) -> tuple[int, list[dict]]:
    code = main(["extract", *inputs])
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines()]


def test_a_seed_page_gives_one_json_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run(capsys, str(SEED))
    assert code == 0 and len(lines) == 1
    line = lines[0]
    assert set(line) == {"input", "url", "title", "text", "language", "published"}
    assert line["input"] == str(SEED)
    assert line["title"] == "Daesh loses big part of enclave, SDF sees defeat ‘very soon’"
    assert line["language"] == "en" and line["published"] == "2019-02-13T07:10:00+00:00"
    assert "200 peacekeepers in SDF-held territory" in line["text"] and "شاهد أيضاً" not in line["text"]


def test_gzipped_page(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    packed = tmp_path / "seed.html.gz"
    packed.write_bytes(gzip.compress(SEED.read_bytes()))
    code, lines = run(capsys, str(packed))
    assert code == 0 and "200 peacekeepers" in lines[0]["text"]


def test_bad_inputs_are_reported_and_the_rest_still_run(capsys: pytest.CaptureFixture[str],
                                                        tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4 not a web page")
    broken = tmp_path / "broken.html.gz"
    broken.write_bytes(b"not gzip at all")
    missing = tmp_path / "missing.html"
    code, lines = run(capsys, str(pdf), str(SEED), str(broken), str(missing))
    assert code == 1
    assert [line["input"] for line in lines] == [str(pdf), str(SEED), str(broken), str(missing)]
    assert "application/pdf" in lines[0]["error"] and "report.pdf" in lines[0]["error"]
    assert "error" not in lines[1] and lines[1]["language"] == "en"
    assert "gzip" in lines[2]["error"]
    assert "missing.html" in lines[3]["error"]


def test_urls_are_fetched(capsys: pytest.CaptureFixture[str]) -> None:
    with SiteServer() as site:
        site.put("/en-baghouz-encampment.html", SEED.read_bytes())
        site.put("/photo.png", b"\x89PNG\r\n\x1a\n", "image/png")
        good, image, gone = (site.url(p) for p in ("/en-baghouz-encampment.html", "/photo.png", "/gone.html"))
        code, lines = run(capsys, "--allow-private", good + "?utm_source=rss", image, gone)
    assert code == 1
    assert lines[0]["url"] == good  # the page's own canonical link, resolved on the served host
    assert "200 peacekeepers" in lines[0]["text"]
    assert "image/png" in lines[1]["error"]
    assert "HTTP 404" in lines[2]["error"] and "/gone.html" in lines[2]["error"]


def test_urls_on_loopback_are_refused_unless_allowed(capsys: pytest.CaptureFixture[str]) -> None:
    with SiteServer() as site:
        site.put("/en-baghouz-encampment.html", SEED.read_bytes())
        code, lines = run(capsys, site.url("/en-baghouz-encampment.html"))
    assert code == 1 and "127.0.0.1" in lines[0]["error"]


def test_urls_are_fetched_with_the_http_settings_of_the_config(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    allowing = tmp_path / "allowing.toml"
    allowing.write_text('[http]\nallowed_networks = ["127.0.0.0/8"]\n', encoding="utf-8")
    guarded = tmp_path / "guarded.toml"
    guarded.write_text('[http]\nallow_private_addresses = false\nmax_body_bytes = 100\n', encoding="utf-8")
    with SiteServer() as site:
        site.put("/en-baghouz-encampment.html", SEED.read_bytes())
        url = site.url("/en-baghouz-encampment.html")
        allowed_code, allowed = run(capsys, "-c", str(allowing), url)
        refused_code, refused = run(capsys, "-c", str(guarded), url)
        capped_code, capped = run(capsys, "-c", str(guarded), "--allow-private", url)
    assert allowed_code == 0 and "200 peacekeepers" in allowed[0]["text"]
    assert refused_code == 1 and "127.0.0.1" in refused[0]["error"]
    assert capped_code == 1 and "100" in capped[0]["error"]  # the config's size cap still holds
