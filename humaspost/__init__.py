"""humaspost: post to social media from a git repository."""

__version__ = "0.1.0"
