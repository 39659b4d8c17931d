"""The post-filter on text as trafilatura returns it: the seeds' real furniture goes, article text stays."""

from __future__ import annotations

from monitor.content.boilerplate import is_furniture, is_see_also, strip_boilerplate

BODY_AR = [
    "وقال مدير المركز الاعلامي لـ “قسد”، مصطفى بالي اليوم، إن القوات الكردية تجد أمامها عوائق في التقدم.",
    "وأشار إلى أن “التحالف يستمر بضرب أهداف للتنظيم كلما كان ذلك متاحًا”.",
    "وبدأ التحالف الدولي، بقيادة الولايات المتحدة، عملياته ضد تنظيم “الدولة” في سوريا، عام 2014.",
]
BODY_EN = [
    "DEIR EZZOR PROVINCE, Syria — US-backed Syrian forces said they were close to defeating Daesh.",
    "Bali said late on Tuesday clashes were ongoing and that fighters remain in several pockets.",
    "Risk of resurgence",
    "The US military has warned that Daesh may still count tens of thousands of fighters.",
    "Washington has now partially reversed Trump’s decision, planning to leave 200 peacekeepers.",
]


def test_corrections_footer_and_follow_line_go() -> None:  # seed 002
    tail = ["–",
            "اذا كنت تعتقد/تعتقدين أن المقال يحوي معلومات خاطئة أو لديك تفاصيل إضافية أرسل/أرسلي تصحيحًا",
            "إذا كنت تعتقد/تعتقدين أن المقال ينتهك أيًا من المبادئ الأخلاقية أو المعايير المهنية "
            "قدم/قدمي شكوى",
            "-", "تابعنا على :"]
    assert strip_boilerplate("\n".join(BODY_AR + tail)) == "\n".join(BODY_AR)


def test_font_size_widget_goes() -> None:  # seed 003
    text = "+A\nA-\n\nالباغوز.. داعش يلجأ لانتحارييه\n\n" + "\n\n".join(BODY_AR)
    assert strip_boilerplate(text) == "الباغوز.. داعش يلجأ لانتحارييه\n\n" + "\n\n".join(BODY_AR)


def test_stylesheet_fragment_see_also_and_share_block_go() -> None:  # seed 004
    text = "\n\n".join(["' rel='stylesheet' type='text/css'>", *BODY_EN, "شاهد أيضاً",
                        "بأدق التفاصيل.. هكذا يُتّهم محمد بن سلمان بمحاولة اغتيال أخرى (فيديو)",
                        "“أرسل لي محمد بن سلمان عبر واتساب: عليك العودة خلال 24 ساعة، وعندما فشل في …",
                        "تابعوا اخر الأخبار على صوت العرب", "Translate » ترجم الموقع لأي لغة في العالم",
                        "%d مدونون معجبون بهذه:"])
    assert strip_boilerplate(text) == "\n\n".join(BODY_EN)


def test_see_also_high_up_drops_only_the_heading() -> None:
    text = "\n".join([BODY_EN[0], "Read more", *BODY_EN[1:]])
    assert strip_boilerplate(text) == "\n".join(BODY_EN)


def test_see_also_near_the_end_cuts_the_rest() -> None:
    text = "\n".join([*BODY_EN, "See also:", "Markets open the week in the red"])
    assert strip_boilerplate(text) == "\n".join(BODY_EN)


def test_article_sentences_about_sharing_or_errors_stay() -> None:
    keep = [
        "Share prices fell sharply on Monday after the central bank raised rates again.",
        "If you believe the reports, the error was made by a junior official who has since resigned.",
        "Follow-up talks are planned for March, a spokesman said, without giving a date.",
        "شارك آلاف المتظاهرين في مسيرة وسط العاصمة للمطالبة بالإفراج عن المعتقلين.",
        "Related talks between the two sides broke down last year over the border question.",
        "A - B tests were run on 200 users.",
        "- Sign up for a Hulu ad-free account for $11.99 a month",
        "A",
    ]
    for line in keep:
        assert not is_furniture(line), line
        assert not is_see_also(line), line
    assert strip_boilerplate("\n".join(keep)) == "\n".join(keep)


def test_generic_furniture_in_other_languages() -> None:
    for line in ("Share this:", "Lesen Sie auch", "Читайте также:", "यह भी पढ़ें", "Zobacz też", "相关阅读"):
        assert is_furniture(line) or is_see_also(line), line
    for line in ("Folgen Sie uns auf Twitter", "Suivez-nous sur Facebook", "12 bloggers like this:",
                 "A+ A A-", "Subscribe to the Morning Review newsletter", "اشترك لتصلك أهم الأخبار",
                 "--- | --- | ---"):
        assert is_furniture(line), line


def test_see_also_between_long_paragraphs_keeps_the_article() -> None:
    long_paragraphs = [line * 3 for line in BODY_EN]
    text = "\n".join([*long_paragraphs[:3], "Read more", *long_paragraphs[3:]])
    assert strip_boilerplate(text) == "\n".join(long_paragraphs)
