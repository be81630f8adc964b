"""Exactly what an account will receive from a post: its parts, and a hash of them."""

from __future__ import annotations

import hashlib
import json

from humaspost.config import Account
from humaspost.platforms.base import MediaFile, Part
from humaspost.platforms.rules import rules_for
from humaspost.posts import Post


def render(post: Post, account: Account) -> tuple[Part, ...]:
    """The parts `account` gets: its platform's section over the post's own content, a
    thread split or joined as the platform does, media and link on the first part."""
    rules = rules_for(account.rules_platform)
    content = post.content_for(account.platform, account.rules_platform)
    texts = rules.parts(content.parts or ())
    media = tuple(MediaFile(item.path.resolve(), item.alt) for item in content.media or ())
    if not texts:
        return (Part("", media, content.link, post.id),) if media else ()
    first = Part(texts[0], media, content.link, post.id)
    return (first, *(Part(text, post_id=post.id) for text in texts[1:]))


def content_hash(parts: tuple[Part, ...]) -> str:
    """A short fingerprint of what was (or would be) sent, to notice later edits."""
    canonical = [
        [part.text, [[m.path.name, m.alt] for m in part.media], part.link] for part in parts
    ]
    data = json.dumps(canonical, ensure_ascii=False).encode()
    return hashlib.sha256(data).hexdigest()[:16]
