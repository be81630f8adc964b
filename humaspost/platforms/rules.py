"""The text and media rules of each platform, used by `check`, `preview` and adapters.

No network libraries here: `check` must run in CI without them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from humaspost.i18n import _, ngettext
from humaspost.media import MediaInfo, MediaKind
from humaspost.platforms.twitter_text import split_at_limit, weighted_length

MB = 1024 * 1024


@dataclass(frozen=True)
class PlatformRules:
    """What one platform accepts: how it counts text, its limits and its media."""

    name: str
    max_length: int | None
    joins_thread: bool
    max_images: int | None
    max_image_bytes: int | None
    max_gif_bytes: int | None
    max_video_bytes: int | None
    max_alt_length: int | None
    media_formats: frozenset[str]
    allows_mixed_media: bool
    checks_link: bool

    def measure(self, text: str) -> int:
        """The length of `text` as this platform counts it."""
        return weighted_length(text) if self.name == "twitter" else len(text)

    def split_at_limit(self, text: str) -> tuple[str, str]:
        """`text` cut where this platform's limit falls: what fits, and the rest ("" when
        all of it fits)."""
        if self.max_length is None:
            return text, ""
        if self.name == "twitter":
            return split_at_limit(text, self.max_length)
        return text[: self.max_length], text[self.max_length :]

    def parts(self, parts: tuple[str, ...]) -> tuple[str, ...]:
        """The posts this platform gets for these text parts."""
        return ("\n\n".join(parts),) if self.joins_thread and len(parts) > 1 else parts

    def media_size_limit(self, info: MediaInfo) -> int | None:
        """The largest file of this kind the platform takes (None: no limit)."""
        return {
            MediaKind.IMAGE: self.max_image_bytes,
            MediaKind.GIF: self.max_gif_bytes,
            MediaKind.VIDEO: self.max_video_bytes,
        }[info.kind]

    def media_count_problem(self, infos: list[MediaInfo]) -> str | None:
        """Why this set of media cannot go in one post (in the language in use), or None if
        it can."""
        animated = [i for i in infos if i.kind is not MediaKind.IMAGE]
        if animated and len(infos) > 1 and not self.allows_mixed_media:
            if self.max_images is None:  # a plugin's platform may limit only the mix
                return _("{platform} takes one GIF or video alone, not with other media").format(
                    platform=self.name
                )
            return ngettext(
                "{platform} takes one GIF or video alone, or up to {count} image",
                "{platform} takes one GIF or video alone, or up to {count} images",
                self.max_images,
            ).format(platform=self.name, count=self.max_images)
        if self.max_images is not None and len(infos) > self.max_images:
            return ngettext(
                "{platform} takes at most {count} image per post",
                "{platform} takes at most {count} images per post",
                self.max_images,
            ).format(platform=self.name, count=self.max_images)
        return None


TWITTER_RULES = PlatformRules(
    name="twitter",
    max_length=280,
    joins_thread=False,
    max_images=4,
    max_image_bytes=5 * MB,
    max_gif_bytes=15 * MB,
    max_video_bytes=512 * MB,
    max_alt_length=1000,
    media_formats=frozenset({"jpeg", "png", "gif", "webp", "mp4", "mov"}),
    allows_mixed_media=False,
    checks_link=False,
)

FACEBOOK_RULES = PlatformRules(
    name="facebook",
    max_length=63_206,
    joins_thread=True,
    max_images=None,
    # The Graph API's photo limit; humaspost posts photos only to Facebook (no video).
    max_image_bytes=10 * MB,
    max_gif_bytes=10 * MB,
    max_video_bytes=None,
    max_alt_length=None,
    media_formats=frozenset({"jpeg", "png", "gif", "webp"}),
    allows_mixed_media=True,
    checks_link=True,
)

SANDBOX_RULES = PlatformRules(
    name="sandbox",
    max_length=None,
    joins_thread=False,
    max_images=None,
    max_image_bytes=None,
    max_gif_bytes=None,
    max_video_bytes=None,
    max_alt_length=None,
    media_formats=frozenset({"jpeg", "png", "gif", "webp", "mp4", "mov"}),
    allows_mixed_media=True,
    checks_link=True,
)

RULES: dict[str, PlatformRules] = {
    rules.name: rules for rules in (TWITTER_RULES, FACEBOOK_RULES, SANDBOX_RULES)
}


def link_problem(link: str) -> str | None:
    """Why `link` is not a web address a post can carry (in the language in use), or None
    if it is."""
    try:
        parts = urlsplit(link.strip())
    except ValueError:  # a bracketed host that is no IPv6 address: "http://[::1"
        return _("'link' is not a valid web address: {link!r}").format(link=link)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return _(
            "'link' must be a web address starting with https:// or http://, not {link!r}"
        ).format(link=link)
    return None


def rules_for(name: str) -> PlatformRules:
    """The rules of a platform: a built-in's, a plugin's `rules` attribute, or none."""
    if name in RULES:
        return RULES[name]
    from humaspost.platforms.registry import platform_class  # plugins only

    rules = getattr(platform_class(name), "rules", None)
    return rules if isinstance(rules, PlatformRules) else replace(SANDBOX_RULES, name=name)
