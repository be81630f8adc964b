"""Re-sharing rules shared by `check` and planning: which accounts may re-share which,
and what a `repost:` URL names.

Kept free of network libraries (like platforms/specs.py): `check` uses it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from humaspost.config import Account

TWITTER = "twitter"
FACEBOOK = "facebook"
SANDBOX = "sandbox"
# The built-in platforms' adapters re-share; a plugin's does when its class has `repost`.
_BUILTIN_RESHARING = frozenset({TWITTER, FACEBOOK, SANDBOX})

_X_STATUS = re.compile(
    r"^https://(?:www\.|mobile\.)?(?:x|twitter)\.com/(?P<user>\w{1,50})/status/(?P<id>\d{1,25})"
    r"/?(?:\?[^\s#]*)?$",
    re.ASCII,
)
_FB_HOST = r"^https://(?:www\.|m\.|web\.)?facebook\.com/"
_FB_QUERY = r"(?:[?&][^\s#]*)?$"
_FB_POST = re.compile(
    _FB_HOST + r"(?P<page>[A-Za-z0-9.\-]{1,100})/posts/(?P<id>[A-Za-z0-9]{1,100})/?" + _FB_QUERY,
    re.ASCII,
)
_FB_PERMALINK = re.compile(
    _FB_HOST + r"(?:permalink|story)\.php\?(?P<query>[^\s#]*)$",
    re.ASCII,
)
_FB_PAIR = re.compile(_FB_HOST + r"(?P<page>\d{1,30})_(?P<id>\d{1,30})/?" + _FB_QUERY, re.ASCII)


@dataclass(frozen=True)
class RepostTarget:
    """What a `repost:` URL names: the platform, and the post's id as the URL writes it
    (X: the status id; Facebook: `<page>_<post>` when the URL has both as numbers,
    else the post part)."""

    platform: str
    remote_id: str


def repost_target(url: str) -> RepostTarget | None:
    """The platform and post id of an X status URL or a Facebook post URL; None for any
    other text (a profile, a photo, a search, http://, a shortened link)."""
    url = url.strip()
    if match := _X_STATUS.match(url):
        return RepostTarget(TWITTER, match["id"])
    if match := _FB_POST.match(url):
        page, post = match["page"], match["id"]
        return RepostTarget(FACEBOOK, f"{page}_{post}" if page.isdigit() else post)
    if match := _FB_PAIR.match(url):
        return RepostTarget(FACEBOOK, f"{match['page']}_{match['id']}")
    if match := _FB_PERMALINK.match(url):
        fields = dict(
            part.split("=", 1) for part in match["query"].split("&") if part.count("=") == 1
        )
        story, page = fields.get("story_fbid", ""), fields.get("id", "")
        if re.fullmatch(r"[A-Za-z0-9]{1,100}", story, re.ASCII) and re.fullmatch(
            r"\d{1,30}", page, re.ASCII
        ):
            return RepostTarget(FACEBOOK, f"{page}_{story}" if story.isdigit() else story)
    return None


def reshare_platforms(account: Account) -> frozenset[str]:
    """The platforms whose posts `account` can re-share: its own; a sandbox account
    the platform it is `like`, or both X and Facebook without `like`."""
    if account.platform == SANDBOX:
        like = account.settings.get("like")
        return frozenset({like}) if like else frozenset({TWITTER, FACEBOOK})
    return frozenset({account.platform})


def can_reshare(by: Account, origin: Account) -> bool:
    """Whether `by` re-shares what `origin` published: the same platform. A rehearsal
    never meets a real account: a sandbox account re-shares only sandbox posts (of a
    platform it can re-share), and a real one never re-shares a sandbox post."""
    if (by.platform == SANDBOX) != (origin.platform == SANDBOX):
        return False
    return bool(reshare_platforms(by) & reshare_platforms(origin))


def reshares_on_x(account: Account) -> bool:
    """Whether the account's re-shares are X reposts, which carry no comment (a quote
    post needs X's Enterprise plan)."""
    return reshare_platforms(account) == frozenset({TWITTER})


def adapter_reshares(platform: str) -> bool:
    """Whether the platform's adapter can re-share: a built-in one, or an installed
    plugin whose class has `repost` (an unknown platform is the config's problem)."""
    if platform in _BUILTIN_RESHARING:
        return True
    from importlib.metadata import entry_points  # plugins only, as in specs.spec_for

    found = entry_points(group="humaspost.platforms", name=platform)
    if not found:
        return True
    try:
        loaded = next(iter(found)).load()
    except Exception:  # a broken plugin is reported where it is used, not here
        return True
    return callable(getattr(loaded, "repost", None))
