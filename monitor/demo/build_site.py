"""Build the demo news site (`monitor/demo/site/`): static article pages with full site chrome.

The pages carry the five seed articles (one story, the battle for Baghouz, in Hindi, Arabic and English)
and a few unrelated real articles from the SemEval-2022 pairs, each dressed as a CMS would serve it:
menu, header, share widget, "see also" list, footer, cookie notice, and the boilerplate the seeds
themselves carried (font-size widget, a stray stylesheet fragment, share/see-also/corrections
blocks) placed where such a CMS puts it, so extraction is exercised on realistic furniture.

    python -m monitor.demo.build_site [--shared PATH] [--out DIR]

Deterministic: the same inputs give byte-identical pages. The committed pages were made by this script.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from monitor.demo.site_page import render_page

REPO_ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = Path(__file__).resolve().parent / "site"
MAX_BODY_CHARS = 3500  # unrelated articles are trimmed at a paragraph end to keep the site small


@dataclass
class Spec:
    slug: str
    outlet: str
    outlet_name: str
    language: str
    published: str
    is_seed: bool
    title: str = ""
    paragraphs: list[str] = field(default_factory=list)
    subheads: frozenset[str] = frozenset()
    byline: str = ""
    extras: dict[str, list[str]] = field(default_factory=dict)  # boilerplate the source page carried


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def seed_specs(seeds: Path) -> list[Spec]:
    """The five seeds; titles of 000/001 (which had none) written for the demo, the rest are the seeds'."""
    s0, s1, s2, s3, s4 = (_lines(p) for p in sorted(seeds.glob("*.txt")))
    end2, see4 = s2.index("–"), s4.index("شاهد أيضاً")
    return [
        Spec("hi-baghouz-car-bombs", "samvad-news", "संवाद न्यूज़", "hi", "2019-02-10T13:45:00+00:00", True,
             "बघौज में आईएसआईएस ने कार बम और आत्मघाती हमलावरों का सहारा लिया", s0, byline="एजेंसी"),
        Spec("ar-baghouz-airstrikes", "akhbar-alyawm", "أخبار اليوم", "ar", "2019-02-11T19:20:00+00:00", True,
             "قصف جوي ومدفعي على آخر جيب لداعش في شرق سوريا", s1, byline="رويترز"),
        Spec("ar-baghouz-snipers", "souria-alaan", "سوريا الآن", "ar", "2019-02-13T11:05:00+00:00", True,
             s2[0], s2[1:end2], byline="فريق التحرير",
             extras={"corrections": s2[end2 + 1:end2 + 3], "separators": [s2[end2], s2[end2 + 3]],
                     "follow": [s2[end2 + 4]]}),
        Spec("ar-baghouz-suicide-bombers", "al-mashhad", "المشهد", "ar", "2019-02-12T15:30:00+00:00", True,
             s3[2], s3[3:], frozenset({"قناصة وألغام أرضية", "كبار قادة داعش فروا من الباغوز",
                                       "أوضاع صعبة داخل الباغوز"}),
             byline="المشهد - دبي", extras={"font_widget": s3[:2]}),
        Spec("en-baghouz-encampment", "arab-voice", "Voice of the Arabs", "en", "2019-02-13T07:10:00+00:00",
             True, s4[1], s4[2:see4], frozenset({"Risk of resurgence"}), byline="Reuters",
             extras={"stylesheet": [s4[0]], "see_also": s4[see4:see4 + 3], "footer": s4[see4 + 3:]}),
    ]


# Unrelated real articles (SemEval-2022 pair ids), on other topics, placed in the same week.
OTHERS = (
    ("1504641942", "ar-aleppo-idlib-operations", "misr-news", "مصر نيوز", "2019-02-09T09:40:00+00:00"),
    ("1484742901", "de-eurokurs-devisen", "finanz-ticker", "Finanz-Ticker", "2019-02-11T16:25:00+00:00"),
    ("1484085208", "es-leicester-newcastle", "deportes-hoy", "Deportes Hoy", "2019-02-12T21:50:00+00:00"),
    ("1645499411", "tr-nasa-space-toilet", "bilim-gundem", "Bilim Gündem", "2019-02-13T08:15:00+00:00"),
    ("1515320729", "fr-vaisselle-bambou", "conso-info", "Conso Info", "2019-02-10T06:30:00+00:00"),
)
_SUBSCRIBE_LINE = "اشترك لتصلك أهم الأخبار"  # a newsletter box the Arabic source page had in its text


def other_specs(pairs: Path) -> list[Spec]:
    wanted = {row[0]: row for row in OTHERS}
    found: dict[str, Spec] = {}
    for line in pairs.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for k in ("1", "2"):
            row = wanted.get(str(record[f"id{k}"]))
            if row and row[0] not in found:
                paragraphs = [p for p in _lines_of(record[f"text{k}"]) if p != _SUBSCRIBE_LINE]
                found[row[0]] = Spec(row[1], row[2], row[3], record[f"lang{k}"], row[4], False,
                                     record[f"title{k}"].strip(), _trim(paragraphs),
                                     extras={"newsletter": [_SUBSCRIBE_LINE]} if record[f"lang{k}"] == "ar"
                                     else {})
    return [found[row[0]] for row in OTHERS]


def _lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _trim(paragraphs: list[str]) -> list[str]:
    kept: list[str] = []
    size = 0
    for paragraph in paragraphs:
        if kept and size + len(paragraph) > MAX_BODY_CHARS:
            break
        kept.append(paragraph)
        size += len(paragraph)
    return kept


def build(shared: Path, out: Path) -> list[dict[str, object]]:
    specs = seed_specs(shared / "corpus" / "seeds") + other_specs(shared / "eval" / "semeval2022" /
                                                                 "pairs.dev.jsonl")
    out.mkdir(parents=True, exist_ok=True)
    manifest = []
    for spec in specs:
        related = [(o.slug, o.title) for o in specs if o.language == spec.language and o is not spec][:3]
        (out / f"{spec.slug}.html").write_text(render_page(spec, related), encoding="utf-8")
        manifest.append({"slug": spec.slug, "file": f"{spec.slug}.html", "title": spec.title,
                         "language": spec.language, "published": spec.published, "outlet": spec.outlet,
                         "is_seed": spec.is_seed})
    (out / "articles.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n",
                                       encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m monitor.demo.build_site",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO_ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    manifest = build(args.shared, args.out)
    size = sum(f.stat().st_size for f in args.out.iterdir())
    print(f"wrote {len(manifest)} pages and articles.json to {args.out} ({size // 1024} KB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
