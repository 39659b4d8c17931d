"""Post-filter for the page furniture trafilatura leaves in the main text.

Works on lines (trafilatura puts one paragraph per line). Four kinds of line are dropped:

- widget debris: font-size toggles ("+A A-"), stray markup (`' rel='stylesheet' type='text/css'>`),
  unformatted templates ("%d bloggers like this:"), separators made of dashes alone;
- calls to action: short lines inviting to share, follow, subscribe or translate the page;
- correction/complaint footers ("if you think the article contains wrong information ... send a
  correction"), recognised by their "if you think/believe" + "correction/error/complaint" shape;
- "see also" headings, and those of comment threads. Such a heading starts a list of links to other
  articles (or the readers' comments), so when only short lines (headlines, teasers) follow it, or it
  sits in the last fifth of the text, everything after it is cut; otherwise (an inline "Read more"
  between paragraphs) only the heading goes.

The phrase lists are short and multilingual on purpose: they name kinds of furniture, not pages.
Lines longer than `MAX_FURNITURE_CHARS` are never dropped, so article sentences that merely mention
sharing or corrections survive.
"""

from __future__ import annotations

import re

MAX_FURNITURE_CHARS = 160
MAX_CALL_TO_ACTION_CHARS = 80
LATE_HEADING_SHARE = 0.8
_I = re.IGNORECASE

# "+A A-", "A+ A A-", "A A A": font-size toggles.
_FONT_WIDGET = re.compile(r"^(?:\s*[+\-−–]?\s*[AaАа]\s*[+\-−–]?\s*){1,4}$")
_SIGNS = re.compile(r"[+\-−–]")
_LETTER_A = re.compile(r"[AaАа]")
# Markup that leaked as text: attribute assignments or a dangling tag end.
_MARKUP = re.compile(
    r"""(?:\b(?:rel|type|href|src|class|style|media|id)\s*=\s*['"]|^['"]?\s*/?>\s*$|/>\s*$)""", _I
)
_TEMPLATE = re.compile(r"%[ds]\b|\{\{.*\}\}")
_SEPARATOR = re.compile(r"^[\s\-–—_=*•·|.…]*$")

_SEE_ALSO = re.compile(
    r"^\W*(?:see also|read more|read also|also read|related(?: articles| stories| posts| news)?|more stories"
    r"|recommended(?: for you)?|you may also like|more from|"
    r"شاهد أيضا|شاهد أيضاً|شاهد ايضا|اقرأ أيضا|اقرأ أيضاً|اقرأ ايضا|إقرأ أيضا|"
    r"إقرأ أيضاً|اقرأ المزيد|مواضيع ذات صلة|"
    r"أخبار ذات صلة|ذات صلة|لمزيد من الأخبار|"
    r"यह भी पढ़ें|ये भी पढ़ें|इसे भी पढ़ें|और पढ़ें|संबंधित खबरें|"
    r"lesen sie auch|mehr zum thema|das könnte sie auch interessieren|voir aussi|lire aussi|à lire aussi|"
    r"leer más|lea también|ver también|te puede interesar|zobacz też|zobacz także|czytaj także|czytaj też|"
    r"читайте также|смотрите также|см\. также|διαβάστε επίσης|相关阅读|相关新闻|延伸阅读|ilgili haberler|"
    # headings of link lists and comment threads
    r"related links|more news|latest news|most (?:read|popular)|(?:\d+ )?comments|leave a comment|"
    r"ссылки по теме|новости по теме|материалы по теме|другие новости|похожие новости|последние новости|"
    r"комментарии(?: к новости)?|"
    r"zobacz (?:również|także)|czytaj (?:również|więcej)|przeczytaj (?:też|także|również)|polecamy|"
    r"podobne artykuły|komentarze|najczęściej czytane|"
    r"σχετικά (?:άρθρα|θέματα)|διαβάστε ακόμα|δείτε επίσης|σχόλια|"
    r"相关文章|相关报道|相关链接|网友评论|热点推荐|更多新闻|"
    r"kommentare|weitere artikel|commentaires|sur le même sujet|comentarios|noticias relacionadas|"
    r"التعليقات|أخبار متعلقة)"
    r"(?:\s*\(\d+\))?\W*$",
    _I,
)
_CALL_TO_ACTION = re.compile(
    r"^\W*(?:share (?:this|on|via)|share:|follow us|subscribe now|like us on|"
    r"(?:subscribe|sign up)\b.{0,40}\b(?:newsletter|bulletins?|alerts|updates)|"
    r"click to share|tweet this|translate\b|print this|email this|"
    r"تابعنا|تابعونا|تابعوا|شاركوا? (?:المقال|الخبر|هذا|على|عبر)|اشترك (?:في|الآن|لتصلك|ليصلك)|ترجم الموقع|"
    r"हमें फॉलो करें|शेयर करें|"
    r"teilen\b|folgen sie uns|partager|suivez-nous|compartir|síguenos|udostępnij|obserwuj nas|"
    r"поделиться|подписывайтесь|分享到|κοινοποίηση)",
    _I,
)
_BLOG_LIKES = re.compile(r"(?:bloggers? like this|مدونون معجبون|معجبون بهذه)", _I)
_CORRECTION_IF = re.compile(r"(?:if you (?:think|believe|spot|see)|إذا كنت تعتقد|اذا كنت تعتقد|إذا كان لديك|"
                            r"wenn sie (?:einen fehler|glauben)|si vous (?:pensez|constatez))", _I)
_CORRECTION_WHAT = re.compile(r"(?:correction|error|mistake|complaint|تصحيح|شكوى|خاطئة|fehler|erreur)", _I)
_CORRECTION_ASK = re.compile(r"(?:\b(?:send|report|let us know|contact us|tell us|email us|submit|melden sie|"
                             r"schreiben sie|signalez|écrivez)\b|أرسل|قدم|راسلنا|تواصل)", _I)


def _is_font_widget(line: str) -> bool:
    # a lone "A" (a list label, a grade) is not a widget: it takes a +/- or two letters
    return bool(_FONT_WIDGET.match(line)) and (bool(_SIGNS.search(line)) or len(_LETTER_A.findall(line)) >= 2)


def is_furniture(line: str) -> bool:
    """True for a line that is page furniture rather than article text."""
    stripped = line.strip()
    if not stripped:
        return False
    if _SEPARATOR.match(stripped) or _is_font_widget(stripped):
        return True
    if len(stripped) > MAX_FURNITURE_CHARS:
        return False
    if _MARKUP.search(stripped) or _TEMPLATE.search(stripped) or _BLOG_LIKES.search(stripped):
        return True
    if len(stripped) <= MAX_CALL_TO_ACTION_CHARS and _CALL_TO_ACTION.match(stripped):
        return True
    return all(p.search(stripped) for p in (_CORRECTION_IF, _CORRECTION_WHAT, _CORRECTION_ASK))


def is_see_also(line: str) -> bool:
    return bool(_SEE_ALSO.match(line.strip()))


def _starts_a_link_list(lines: list[str], index: int, total: int) -> bool:
    """A see-also heading at `index` heads the page's tail when only short lines (headlines, teasers)
    follow it, less text than came before; or when it sits in the last fifth of the text."""
    before = sum(len(line) for line in lines[:index])
    rest = [line for line in lines[index + 1:] if line.strip()]
    only_short = all(len(line) <= MAX_FURNITURE_CHARS for line in rest)
    return (only_short and sum(len(line) for line in rest) < before) or before >= total * LATE_HEADING_SHARE


def strip_boilerplate(text: str) -> str:
    """`text` without furniture lines; a "see also" heading that starts the tail cuts the rest."""
    lines = text.split("\n")
    total = sum(len(line) for line in lines) or 1
    kept: list[str] = []
    for index, line in enumerate(lines):
        if is_see_also(line):
            if _starts_a_link_list(lines, index, total):
                break
            continue
        if not is_furniture(line):
            kept.append(line)
    result = "\n".join(kept)
    return re.sub(r"\n{3,}", "\n\n", result).strip()
