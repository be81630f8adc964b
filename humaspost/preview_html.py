"""`preview --format html`: one self-contained page that draws each delivery as its
platform shows it, for a reviewer who would rather see the post than read about it.

An X delivery is a column of tweet cards (one per thread part, joined by the thread
line), a Facebook one a page post with its photos and link card; a sandbox account is
drawn like the platform it is `like`, any other platform as a plain card. Every part
shows its length as the platform counts it against the limit; a part over it shows
where the limit falls and the text beyond it in red. Each delivery names its account
and local publish time, and links to its file's problems, listed above it.

The page loads nothing, ever: no script, no web font, no stylesheet or image from a
network or another file. CSS is inline and images are embedded as `data:` URIs (each
file once, as a CSS class, however many deliveries show it), so that the page still
shows everything when mailed, kept as a CI artifact or opened on another machine; a
Content-Security-Policy tells the browser to load nothing else. Videos and unusable
files are drawn as tiles naming the file (a video can be hundreds of megabytes).
Every text that comes from a post, a file name or the config is escaped.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

from humaspost.html_look import POLICY, escape
from humaspost.i18n import _, ngettext
from humaspost.platforms.twitter_text import url_spans
from humaspost.preview import (
    DeliveryPreview,
    FilePreview,
    MediaPreview,
    PartPreview,
    Preview,
    platform_name,
)
from humaspost.problems import Problem, Severity
from humaspost.textfile import NotPlainFile, open_plain
from humaspost.times import format_local_day

# Formats a browser draws as an image; larger files than any platform takes are not
# embedded (their problem says they are too large).
_IMAGE_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}
_MAX_EMBEDDED_BYTES = 16 * 1024 * 1024
# How many media tiles a grid shows; the last one shown counts the rest.
_GRID_TILES = 4
# What each platform colours in a post: links everywhere, hashtags, and mentions on X.
# X also takes the full-width signs (U+FF03, U+FF20) for them.
_HASHTAG = re.compile("(?<![\\w&#\uff03])[#\uff03]\\w*[^\\W\\d]\\w*")
_MENTION = re.compile("(?<![\\w@\uff20])[@\uff20][A-Za-z0-9_]{1,15}(?![A-Za-z0-9_@])")

_CSS = """
*{box-sizing:border-box}
body{margin:0;background:#eef1f4;color:#0f1419;
 font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.page-head{background:#fff;border-bottom:1px solid #d6dbe0;padding:16px 24px}
h1{font-size:20px;margin:0 0 4px}
.summary{font-weight:700;margin:0}
.summary.ok{color:#00875a}.summary.warn{color:#9a6700}.summary.bad{color:#c62828}
.note{color:#536471;margin:4px 0 0;font-size:13px}
main{padding:16px 24px}
.file{margin:0 0 32px}
.file h2{font:600 15px/1.4 ui-monospace,"DejaVu Sans Mono",monospace;margin:0 0 8px}
.post-id{color:#536471;font-weight:400}
.problems{list-style:none;margin:0 0 12px;padding:0;max-width:1140px}
.problem{background:#fff;border-left:4px solid #f9a825;padding:6px 10px;margin:0 0 4px;
 border-radius:4px}
.problem.error{border-color:#d32f2f}
.severity{font-weight:700;color:#9a6700}.problem.error .severity{color:#d32f2f}
.where{font-family:ui-monospace,"DejaVu Sans Mono",monospace;color:#536471;font-size:13px}
.hint{color:#0b5394;font-size:13px}
.deliveries{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
.delivery{width:560px;max-width:100%}
.delivery-head{display:flex;flex-wrap:wrap;gap:4px 10px;align-items:baseline;margin:0 0 8px;
 font-size:13px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:700;color:#fff;
 background:#6b7785}
.badge.x{background:#0f1419}.badge.facebook{background:#1877f2}
.badge.sandbox{background:#fff;color:#8a5300;border:1px dashed #8a5300}
.account{font-weight:700;font-size:14px}
.when{color:#536471}
.times{margin:0;padding-left:18px;color:#536471;width:100%}
.draft{background:#fff3cd;color:#7a5800;border-radius:4px;padding:0 6px;font-weight:600}
.problem-count{color:#d32f2f;font-weight:600}
.problem-count.warn{color:#9a6700}
.nothing{color:#d32f2f;font-weight:700;background:#fff;padding:12px 16px;border-radius:8px}
.sandbox .thread,.sandbox .fb-post,.sandbox .plain-post{outline:2px dashed #c98a00;
 outline-offset:3px}
.thread{list-style:none;margin:0;padding:0;background:#fff;border:1px solid #cfd9de;
 border-radius:16px;overflow:hidden}
.tweet{display:flex;gap:12px;padding:12px 16px;position:relative}
.tweet:not(:last-child)::before{content:"";position:absolute;left:35px;top:56px;bottom:-8px;
 width:2px;background:#cfd9de}
.avatar{flex:none;width:40px;height:40px;border-radius:50%;background:#0f1419;color:#fff;
 display:flex;align-items:center;justify-content:center;font-weight:700;font-size:18px}
.facebook .avatar{background:#1877f2}
.tweet-body{flex:1;min-width:0}
.tweet-head{display:flex;gap:4px;flex-wrap:wrap}
.name{font-weight:700}
.handle{color:#536471}
.post-text{white-space:pre-wrap;overflow-wrap:anywhere;margin:2px 0 0}
.link,.tag,.mention{color:#1d9bf0}
.facebook .link,.facebook .tag{color:#0064d1}
.facebook .tag{font-weight:600}
.plain-post .link,.plain-post .tag{color:#0b5394}
.overflow{background:#ffd2d6;color:#8b0010}
.limit-mark{display:inline-block;background:#f4212e;color:#fff;font-size:11px;font-weight:700;
 border-radius:3px;padding:0 4px;margin:0 2px;line-height:16px;white-space:nowrap}
.part-foot{display:flex;justify-content:space-between;align-items:center;gap:8px;
 margin-top:8px;font-size:13px;color:#536471}
.count{font-variant-numeric:tabular-nums;white-space:nowrap}
.count.over{color:#f4212e;font-weight:700}
.gauge{display:inline-block;width:80px;height:6px;border-radius:3px;background:#e6ecf0;
 overflow:hidden;vertical-align:middle;margin-right:6px}
.gauge span{display:block;height:100%;background:#1d9bf0}
.facebook .gauge span{background:#1877f2}
.count.over .gauge span{background:#f4212e}
.over-note{color:#f4212e;font-size:13px;margin-top:4px;font-weight:600}
.media-grid{display:grid;grid-template-columns:1fr 1fr;grid-template-rows:1fr 1fr;gap:2px;
 aspect-ratio:16/9;margin-top:10px;border-radius:16px;overflow:hidden;
 border:1px solid #cfd9de;background:#cfd9de}
.n1>.tile{grid-column:1/3;grid-row:1/3}
.n2>.tile{grid-row:1/3}
.n3>.tile:first-child{grid-row:1/3}
.tile{position:relative;background:#e6ecf0 center/cover no-repeat;min-height:0}
.tile.named{background:#0f1419;color:#fff}
.tile.unusable{background:repeating-linear-gradient(45deg,#fde7e9 0 10px,#fff 10px 20px);
 color:#8b0010}
.tile-label{position:absolute;inset:0;display:flex;align-items:center;justify-content:center;
 text-align:center;padding:8px;font-size:13px;font-weight:600;overflow-wrap:anywhere}
.alt-badge{position:absolute;left:8px;bottom:8px;background:rgba(0,0,0,.78);color:#fff;
 font-size:11px;font-weight:700;border-radius:4px;padding:1px 5px}
.alt-badge.missing{background:#f4212e}
.more{position:absolute;inset:0;background:rgba(0,0,0,.5);color:#fff;font-size:28px;
 display:flex;align-items:center;justify-content:center}
.alts{list-style:none;margin:6px 0 0;padding:0;font-size:13px;color:#536471}
.alts .alt-text{color:#0f1419}
.alts .missing{color:#f4212e;font-weight:600}
.fb-post{background:#fff;border-radius:8px;box-shadow:0 1px 2px rgba(0,0,0,.2);
 padding:12px 16px;overflow:hidden}
.fb-head{display:flex;gap:8px;align-items:center;margin-bottom:8px}
.fb-name{font-weight:600;color:#050505}
.fb-time{font-size:13px;color:#65676b}
.fb-post .post-text{color:#050505}
.fb-post .media-grid{border-radius:0;margin:10px -16px 0;border:0}
.link-card{margin:10px -16px 0;background:#f0f2f5;border-top:1px solid #dadde1;
 padding:10px 16px}
.link-domain{font-size:12px;color:#65676b;text-transform:uppercase}
.link-url{font-weight:600;color:#050505;overflow-wrap:anywhere}
.fb-post+.fb-post{margin-top:12px}
.plain-post{background:#fff;border:1px solid #c4cdd5;border-radius:6px;padding:10px 14px}
.plain-part+.plain-part{border-top:1px dashed #c4cdd5;margin-top:10px;padding-top:10px}
.plain-post .media-grid{border-radius:4px}
.plain-link{margin-top:8px;font-size:13px;overflow-wrap:anywhere}
"""


def preview_page(result: Preview, language: str) -> str:
    """The preview as one HTML page in `language` ('id' or 'en'), loading nothing."""
    media = _EmbeddedMedia(result.root)
    files = "".join(
        _file_html(file, number, result.timezone, media)
        for number, file in enumerate(result.files, 1)
    )
    if result.errors:
        mark, level = "✗", "bad"
    elif result.warnings:
        mark, level = "!", "warn"
    else:
        mark, level = "✓", "ok"
    title = _e(_("Preview: what each account will receive"))
    note = _("Times are local time ({timezone}). This page loads nothing from the network.")
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{_e(language)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n"
        f"<style>{_CSS}</style>\n<style>{media.css()}</style>\n</head>\n<body>\n"
        '<header class="page-head">\n'
        f"<h1>{title}</h1>\n"
        f'<p class="summary {level}">{mark} {_e(result.summary())}</p>\n'
        f'<p class="note">{_e(note.format(timezone=result.timezone.key))}</p>\n'
        f"</header>\n<main>\n{files}</main>\n</body>\n</html>\n"
    )


def _e(text: str) -> str:
    """Text as HTML, quotes too (it may go into an attribute); a lone surrogate (an
    undecodable byte of a file name) becomes U+FFFD so that the page is valid UTF-8."""
    return escape(text)


def _tag(name: str, classes: str, text: str) -> str:
    """An element of these classes holding `text`, escaped."""
    return f'<{name} class="{classes}">{_e(text)}</{name}>'


def _file_html(file: FilePreview, number: int, tz: ZoneInfo, media: _EmbeddedMedia) -> str:
    anchor = f"file-{number}-problems"
    post = (
        " " + _tag("span", "post-id", _("(post {post_id})").format(post_id=file.post_id))
        if file.post_id
        else ""
    )
    problems = "".join(_problem_html(problem) for problem in file.problems)
    listed = f'<ul class="problems" id="{anchor}">{problems}</ul>\n' if problems else ""
    deliveries = "".join(_delivery_html(d, file, anchor, tz, media) for d in file.deliveries)
    return (
        f'<section class="file">\n<h2>{_e(file.file)}{post}</h2>\n{listed}'
        f'<div class="deliveries">\n{deliveries}</div>\n</section>\n'
    )


def _problem_html(problem: Problem) -> str:
    severity = _("error") if problem.severity is Severity.ERROR else _("warning")
    span = problem.span
    where = problem.file if span is None else f"{problem.file}:{span.line}:{span.column}"
    hint = _tag("div", "hint", _("hint: {hint}").format(hint=problem.hint)) if problem.hint else ""
    return (
        f'<li class="problem {problem.severity}"><span class="where">{_e(where)}</span> '
        f'<span class="severity">{_e(severity)}[{_e(problem.code)}]</span> '
        f"{_e(problem.message)}{hint}</li>\n"
    )


def _delivery_html(
    delivery: DeliveryPreview,
    file: FilePreview,
    anchor: str,
    tz: ZoneInfo,
    media: _EmbeddedMedia,
) -> str:
    style = {"twitter": "x", "facebook": "facebook"}.get(delivery.counted_as, "plain")
    sandbox = " sandbox" if delivery.platform == "sandbox" else ""
    if not delivery.parts:
        body = _tag("p", "nothing", _("nothing to send"))
    elif style == "x":
        body = _x_thread(delivery, media)
    elif style == "facebook":
        body = _facebook_posts(delivery, tz, media)
    else:
        body = _plain_post(delivery, media)
    return (
        f'<article class="delivery {style}{sandbox}">\n'
        f"{_delivery_head(delivery, file, anchor, style, tz)}{body}\n</article>\n"
    )


def _delivery_head(
    delivery: DeliveryPreview, file: FilePreview, anchor: str, style: str, tz: ZoneInfo
) -> str:
    platform = platform_name(delivery.platform)
    if delivery.counted_as != delivery.platform:
        platform = _("{platform}, counted as {counted}").format(
            platform=platform, counted=platform_name(delivery.counted_as)
        )
    badge = "sandbox" if delivery.platform == "sandbox" else style
    pieces = [
        f'<span class="badge {badge}">{_e(platform)}</span>',
        f'<span class="account">{_e(delivery.account)}</span>',
    ]
    if delivery.repeat is not None:
        repeats = _("repeats '{repeat}'{draft}, next:").format(repeat=delivery.repeat, draft="")
        pieces.append(_tag("span", "when", repeats))
    elif delivery.times:
        at = _("at {time}").format(time=format_local_day(delivery.times[0], tz))
        pieces.append(_tag("span", "when", at))
    else:
        pieces.append(_tag("span", "when", _("no publish time")))
    if delivery.draft:
        pieces.append(_tag("span", "draft", _("draft: checked, never published")))
    if file.problems:
        errors = ngettext("{count} error", "{count} errors", file.errors).format(count=file.errors)
        warnings = len(file.problems) - file.errors
        counts = ngettext("{count} warning", "{count} warnings", warnings).format(count=warnings)
        level = "" if file.errors else " warn"
        shown = _("problems of the file: {errors}, {warnings}").format(
            errors=errors, warnings=counts
        )
        pieces.append(f'<a class="problem-count{level}" href="#{anchor}">{_e(shown)}</a>')
    if delivery.repeat is not None:
        coming = "".join(f"<li>{_e(format_local_day(t, tz))}</li>" for t in delivery.times)
        pieces.append(
            f'<ol class="times">{coming}</ol>'
            if coming
            else _tag("span", "when", _("no more occurrences"))
        )
    return f'<div class="delivery-head">{" ".join(pieces)}</div>\n'


def _x_thread(delivery: DeliveryPreview, media: _EmbeddedMedia) -> str:
    avatar = _e(_initial(delivery.account))
    count = len(delivery.parts)
    cards = []
    for index, part in enumerate(delivery.parts):
        attached = _attachments(delivery, media) if index == 0 else ""
        cards.append(
            f'<li class="tweet"><div class="avatar" aria-hidden="true">{avatar}</div>'
            f'<div class="tweet-body"><div class="tweet-head">'
            f'<span class="name">{_e(delivery.account)}</span>'
            f'<span class="handle">@{_e(delivery.account)}</span></div>'
            f"{_text_html(part, 'x')}{attached}{_part_foot(part, index, count)}</div></li>\n"
        )
    return f'<ol class="thread">\n{"".join(cards)}</ol>'


def _facebook_posts(delivery: DeliveryPreview, tz: ZoneInfo, media: _EmbeddedMedia) -> str:
    """The page's post (Facebook joins a thread into one; a plugin may not)."""
    when = format_local_day(delivery.times[0], tz) if delivery.times else ""
    avatar = _e(_initial(delivery.account))
    count = len(delivery.parts)
    posts = []
    for index, part in enumerate(delivery.parts):
        attached = _attachments(delivery, media) if index == 0 else ""
        link = _link_card(delivery.link) if index == 0 and delivery.link else ""
        posts.append(
            f'<div class="fb-post"><div class="fb-head">'
            f'<div class="avatar" aria-hidden="true">{avatar}</div><div>'
            f'<div class="fb-name">{_e(delivery.account)}</div>'
            f'<div class="fb-time">{_e(when)}</div></div></div>'
            f"{_text_html(part, 'facebook')}{attached}{link}"
            f"{_part_foot(part, index, count)}</div>\n"
        )
    return "".join(posts)


def _plain_post(delivery: DeliveryPreview, media: _EmbeddedMedia) -> str:
    count = len(delivery.parts)
    parts = []
    for index, part in enumerate(delivery.parts):
        attached = _attachments(delivery, media) if index == 0 else ""
        link = (
            _tag("div", "plain-link", _("link: {link}").format(link=delivery.link))
            if index == 0 and delivery.link
            else ""
        )
        parts.append(
            f'<div class="plain-part">{_text_html(part, "plain")}{attached}{link}'
            f"{_part_foot(part, index, count)}</div>"
        )
    return f'<div class="plain-post">{"".join(parts)}</div>'


def _initial(account: str) -> str:
    return next((char.upper() for char in account if char.isalnum()), "?")


def _link_card(link: str) -> str:
    domain = re.sub(r"^[a-z][a-z0-9+.-]*://", "", link, flags=re.IGNORECASE).split("/")[0]
    return (
        f'<div class="link-card"><div class="link-domain">{_e(domain)}</div>'
        f'<div class="link-url">{_e(link)}</div></div>'
    )


def _part_foot(part: PartPreview, index: int, count: int) -> str:
    """The part's number, and its length against the limit with a gauge."""
    number = _("part {number}/{count}").format(number=index + 1, count=count)
    if part.limit is None:
        length = _("{length} (no limit)").format(length=part.length)
        gauge = ""
    else:
        length = _("{length} of {limit}").format(length=part.length, limit=part.limit)
        filled = min(100, round(100 * part.length / part.limit)) if part.limit else 100
        gauge = f'<span class="gauge"><span style="width:{filled}%"></span></span>'
    over = " over" if part.over_by else ""
    note = ""
    if part.over_by:
        note = _("{over_by} over: the text after the {limit} mark does not fit").format(
            over_by=part.over_by, limit=part.limit
        )
        note = f'<div class="over-note">{_e(note)}</div>'
    return (
        f'<div class="part-foot"><span class="part-number">{_e(number)}</span>'
        f'<span class="count{over}">{gauge}{_e(length)}</span></div>{note}'
    )


def _text_html(part: PartPreview, style: str) -> str:
    """The part's text, escaped, its links and hashtags (and mentions on X) coloured;
    when it is over the limit, a mark where the limit falls and the rest in red."""
    # What the platform counts: for X the text after NFC normalisation.
    text = part.fits + part.overflow
    limit_at = len(part.fits) if part.overflow else None
    shown = []
    # The pieces tile the text and none crosses the limit: one starts where it falls.
    for start, end, kind in _pieces(text, style, limit_at):
        if start == limit_at:
            title = _("the limit: {limit}").format(limit=part.limit)
            shown.append(f'<span class="limit-mark" title="{_e(title)}">{part.limit}</span>')
        piece = _e(text[start:end])
        if kind is not None:
            piece = f'<span class="{kind}">{piece}</span>'
        if limit_at is not None and start >= limit_at:
            piece = f'<span class="overflow">{piece}</span>'
        shown.append(piece)
    return f'<div class="post-text">{"".join(shown)}</div>'


def _pieces(text: str, style: str, limit_at: int | None) -> Iterator[tuple[int, int, str | None]]:
    """`text` cut into (start, end, kind): kind is 'link', 'tag', 'mention' or None; no
    piece crosses the limit."""
    found: list[tuple[int, int, str | None]] = [
        (start, end, "link") for start, end in url_spans(text)
    ]
    patterns = [(_HASHTAG, "tag")] + ([(_MENTION, "mention")] if style == "x" else [])
    for pattern, name in patterns:
        for match in pattern.finditer(text):
            start, end = match.span()
            # A '#' inside a link (its fragment) is part of the link.
            if not any(
                start < other_end and other_start < end for other_start, other_end, _k in found
            ):
                found.append((start, end, name))
    position = 0
    for start, end, kind in [*sorted(found), (len(text), len(text), None)]:
        for piece in ((position, start, None), (start, end, kind)):
            yield from _split_at(piece, limit_at)
        position = end


def _split_at(
    piece: tuple[int, int, str | None], limit_at: int | None
) -> Iterator[tuple[int, int, str | None]]:
    start, end, kind = piece
    if start == end:
        return
    if limit_at is not None and start < limit_at < end:
        yield start, limit_at, kind
        yield limit_at, end, kind
    else:
        yield piece


def _attachments(delivery: DeliveryPreview, media: _EmbeddedMedia) -> str:
    """The media grid (alt text badges on the tiles) and the alt texts under it."""
    if not delivery.media:
        return ""
    shown = delivery.media[:_GRID_TILES]
    rest = len(delivery.media) - len(shown)
    tiles = [
        _tile(item, media, rest if index == len(shown) - 1 else 0)
        for index, item in enumerate(shown)
    ]
    alts = "".join(_alt_line(item) for item in delivery.media)
    return (
        f'<div class="media-grid n{len(shown)}">{"".join(tiles)}</div><ul class="alts">{alts}</ul>'
    )


def _tile(item: MediaPreview, media: _EmbeddedMedia, more: int) -> str:
    """A media tile: the image, or a tile naming a file that is not drawn (a video, an
    unusable file); `more` media not shown are counted over it."""
    label = _e(item.alt or item.file)
    badge = (
        _tag("span", "alt-badge", _("ALT"))
        if item.alt
        else _tag("span", "alt-badge missing", _("no alt text"))
    )
    counted = f'<span class="more">+{more}</span>' if more else ""
    css = media.css_class(item)
    if css is not None:
        return f'<div class="tile {css}" role="img" aria-label="{label}">{badge}{counted}</div>'
    if item.format is None:
        kind, text = "unusable", _("unusable: {file}").format(file=item.file)
    else:
        kind, text = "named", _("{format}: {file}").format(format=item.format, file=item.file)
    return (
        f'<div class="tile {kind}" role="img" aria-label="{label}">'
        f"{_tag('span', 'tile-label', text)}{badge}{counted}</div>"
    )


def _alt_line(item: MediaPreview) -> str:
    if item.alt:
        alt = f'<span class="alt-text">{_e(item.alt)}</span>'
    else:
        alt = _tag("span", "missing", _("no alt text"))
    return f"<li>{_e(item.file)}: {alt}</li>"


class _EmbeddedMedia:
    """The images the page shows, each read once and embedded as a CSS class."""

    def __init__(self, root: Path) -> None:
        self.inside = Path(os.path.realpath(root))
        self.classes: dict[Path, str | None] = {}
        self.rules: list[str] = []

    def css_class(self, item: MediaPreview) -> str | None:
        """The class that draws the image, or None when it is not drawn: not an image,
        unusable, too large, or unreadable now."""
        if item.path not in self.classes:
            self.classes[item.path] = self._embed(item)
        return self.classes[item.path]

    def _embed(self, item: MediaPreview) -> str | None:
        mime = _IMAGE_TYPES.get(item.format or "")
        if mime is None or item.size is None or item.size > _MAX_EMBEDDED_BYTES:
            return None
        try:
            with open_plain(item.path, inside=self.inside) as handle:
                data = handle.read(_MAX_EMBEDDED_BYTES + 1)
        except (NotPlainFile, OSError):
            return None
        if len(data) > _MAX_EMBEDDED_BYTES:
            return None
        name = f"m{len(self.rules) + 1}"
        encoded = base64.b64encode(data).decode("ascii")
        self.rules.append(f'.{name}{{background-image:url("data:{mime};base64,{encoded}")}}')
        return name

    def css(self) -> str:
        """The CSS rules of every image embedded so far."""
        return "\n".join(self.rules)
