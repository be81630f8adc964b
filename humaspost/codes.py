"""The stable problem codes: one line each, used by `check` and the docs.

Codes never change meaning once released; new problems get new codes.
"""

from __future__ import annotations

PROBLEM_CODES: dict[str, str] = {
    # Reading and parsing files
    "HP001": "the file cannot be read",
    "HP002": "the file is not valid UTF-8",
    "HP003": "YAML syntax error (tabs for indentation, a missing colon or quote, ...)",
    "HP004": "the same key appears twice in one mapping",
    "HP005": "YAML aliases expand to too much data (an alias bomb)",
    "HP006": "the file is empty",
    "HP007": "a .md post has no front matter, or its front matter is never closed",
    "HP008": "the top level is not a mapping of fields",
    "HP009": "a key is not a plain name (a list, a mapping or a number as key)",
    "HP010": "the file is outside posts_dir or is not a post file",
    "HP011": "unsupported YAML tag",
    "HP012": "a value is not valid for its YAML type (0x_, !!int x, a 5,000-digit number)",
    "HP013": "the file is not a plain file (a link, a FIFO, a device, a folder)",
    "HP014": "the file is larger than 1 MiB",
    "HP015": "the text holds a control character YAML does not allow",
    "HP020": "internal error while reading or checking the file (a bug; the post is held back)",
    # Fields of a post
    "HP101": "unknown field",
    "HP102": "a field has the wrong type",
    "HP103": "unknown account or group",
    "HP104": "a required field is missing",
    "HP105": "invalid date-time",
    "HP106": "times out of order (expires_at or until not after publish_at)",
    "HP107": "invalid repeat (cron) expression",
    "HP108": "a field that only makes sense with another one (until without repeat)",
    "HP109": "the post goes to no account",
    "HP110": "empty text or empty thread part",
    "HP111": "conflicting fields (text and thread, text in a .md front matter)",
    "HP112": "two files have the same post id",
    "HP113": "invalid post id",
    "HP114": "an HTML comment is never closed",
    "HP115": "part of a one-line text is read by YAML as a comment (#hashtag) or anchor (&name)",
    "HP116": "a repeat fires more often than once an hour",
    "HP117": "the text is still the placeholder that 'humaspost new' wrote",
    "HP118": "the post's folder is not one the account (or group) in 'to' takes posts from",
    # Media
    "HP201": "media file not found",
    "HP202": "media file outside the repository",
    "HP203": "alt text missing",
    "HP204": "media format not supported",
    "HP205": "media file too large for the platform",
    "HP206": "too many media for the platform",
    "HP207": "alt text too long for the platform",
    "HP208": "media file is not a plain file (a FIFO, a device, a folder)",
    # Platform rules
    "HP301": "text too long for the platform",
    "HP302": "invalid link",
    "HP303": "a platform section for a platform the post does not go to",
    # Timing and repetition (warnings)
    "HP401": "the publish time is already past max_delay: the delivery will be marked missed",
    "HP402": "the same text goes to the same account within 7 days (X rejects duplicates)",
    "HP403": "a published post was edited: the edit will not be sent",
    # Configuration
    "HP501": "configuration file not found",
    "HP502": "unknown key in the configuration",
    "HP503": "invalid value in the configuration",
    "HP504": "a secret is written literally instead of as a ${ENV_VAR} reference",
    "HP505": "invalid account or group name",
    "HP506": "a group names an unknown account",
    "HP507": "unknown timezone",
    "HP508": "unknown platform",
    "HP509": "a secret's environment variable is not set",
    "HP510": "a .env beside the config holds values and is tracked by git or readable by others",
    "HP511": "some accounts are scoped to folders with 'paths' and others are open to every folder",
    "HP512": "the repository's CODEOWNERS is missing or older than the config's owners and paths",
    "HP513": "publish_from: committed, paths or owners are used outside a git checkout",
}
