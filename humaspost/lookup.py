"""What a user names on the command line: a post (by id or by its file), and the publish
log a command needs to exist."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from humaspost.config import Config, unusable
from humaspost.i18n import _
from humaspost.log_location import log_path
from humaspost.posts import POST_SUFFIXES, Post
from humaspost.problems import UsageError
from humaspost.publog import LogLocation, log_exists, shown_location
from humaspost.repository import is_post_path, shown_name
from humaspost.times import quoted


def post_id_from(
    given: str,
    posts: Iterable[Post],
    config: Config,
    cwd: Path,
    *,
    label: str,
    logged: Callable[[str], bool] = lambda _: False,
) -> str:
    """The id of the post `given` names: a post file's path (relative to `cwd`) or a
    post id, known from the loaded `posts` or, if `logged` says so, from the publish log
    (a post whose file is gone). A UsageError, prefixed with `label`, names what was
    given when it is neither."""
    loaded = list(posts)
    trouble = unusable(cwd / given)
    if trouble is not None:
        raise UsageError(
            _("{label}: cannot use the path {path}: {trouble}").format(
                label=label, path=quoted(given), trouble=trouble
            )
        )
    path = (cwd / given).resolve()
    if path.is_file():
        return _id_of_file(given, path, loaded, config, cwd, label)
    if any(post.id == given for post in loaded) or logged(given):
        return given
    if path.is_dir():
        raise UsageError(
            _("{label}: {path} is a folder, not a post file").format(label=label, path=given)
        )
    if given.lower().endswith(POST_SUFFIXES):
        raise UsageError(_("{label}: there is no post file {path}").format(label=label, path=given))
    raise UsageError(
        _("{label}: there is no post with id '{post_id}' (nor a file of that name)").format(
            label=label, post_id=given
        )
    )


def _id_of_file(
    given: str, path: Path, posts: list[Post], config: Config, cwd: Path, label: str
) -> str:
    posts_dir = config.posts_dir.resolve()
    if not (is_post_path(path, posts_dir) and path.name.lower().endswith(POST_SUFFIXES)):
        where = shown_name(posts_dir, cwd)
        raise UsageError(
            _(
                "{label}: {path} is not a post file (posts are .md, .yaml or .yml files "
                "under {folder}/)"
            ).format(label=label, path=given, folder=where)
        )
    for post in posts:
        if post.file.resolve() == path:
            return post.id
    raise UsageError(
        _(
            "{label}: {path} cannot be read as a post; run 'humaspost check {path}' to see why"
        ).format(label=label, path=given)
    )


def existing_log(
    config: Config, cwd: Path, *, sandbox: bool, environ: Mapping[str, str]
) -> LogLocation:
    """The publish log, which must exist: commands that settle or delete what was sent
    never create an empty one."""
    location = log_path(config, sandbox=sandbox, environ=environ)
    if not log_exists(location):
        shown = (
            shown_name(location.absolute(), cwd)
            if isinstance(location, Path)
            else shown_location(location)
        )
        raise UsageError(
            _("nothing has been published yet (there is no publish log {log})").format(log=shown)
        )
    return location
