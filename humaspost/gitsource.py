"""Git provenance of a post file: the commit it was read from, its blob, its author.

Only the `Source` record lives here for now; reading it from the checkout (and
attaching it to each `Post`) is built beside it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """Where the bytes of a post file came from in git."""

    commit: str | None  # HEAD of the checkout the post file was read from
    blob: str  # git blob id of the bytes read (as `git hash-object` computes)
    author: str | None  # "Name <email>" of the last commit that changed the file
    committed: bool  # the bytes are the file exactly as HEAD has it
