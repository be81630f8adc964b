"""A city office's post repository under git in a temp folder, with commits by invented
staff, for the tests of who may post where (scoping, CODEOWNERS)."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

# Accounts scoped to the folders of the city office and of two district offices, each
# with its reviewers on GitHub. Sandbox accounts: `publish --sandbox` needs no secrets.
OFFICES_CONFIG = """\
timezone: Asia/Jakarta
publish_from: committed
owners: ["@pemkot-bekasi/humas"]
accounts:
  pemkot-x:
    platform: sandbox
    like: twitter
    paths: ["kota/**"]
    owners: ["@pemkot-bekasi/humas"]
  pemkot-fb:
    platform: sandbox
    like: facebook
    paths: ["kota/**", "kecamatan/**"]
  kec-timur:
    platform: sandbox
    paths: [kecamatan/bekasi-timur/**]
    owners: ["@pemkot-bekasi/humas-bekasi-timur"]
  kec-barat:
    platform: sandbox
    paths: kecamatan/bekasi-barat/**
    owners: ["@pemkot-bekasi/humas-bekasi-barat", "@siti-barat"]
groups:
  semua-kecamatan: [kec-timur, kec-barat]
  berita-kecamatan:
    accounts: [pemkot-fb]
    paths: [kecamatan/**]
    owners: ["@pemkot-bekasi/redaksi"]
defaults:
  to: [kec-timur]
"""

# Invented staff: (name, email).
CITY_EDITOR = ("Rina Humas Kota", "rina@humas.example")
TIMUR_OFFICER = ("Budi Timur", "budi@timur.example")
BARAT_OFFICER = ("Siti Barat", "siti@barat.example")


class GitOffice:
    """A repository of posts in git: config at the root, posts/ and media/ inside."""

    def __init__(self, root: Path, config: str = OFFICES_CONFIG) -> None:
        self.root = root
        (root / "posts").mkdir(parents=True)
        (root / "media").mkdir()
        (root / "media" / ".gitkeep").write_text("")
        self.write("humaspost.yaml", config)
        self.git("init", "--quiet")
        self.git("symbolic-ref", "HEAD", "refs/heads/main")
        self.commit("the office's config", CITY_EDITOR)

    def write(self, name: str, text: str) -> Path:
        """Write a file (text dedented) at `name` under the root."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def git(self, *args: str, author: tuple[str, str] | None = None) -> str:
        """Run git in the repository (as `author` where given); its output."""
        who = author or CITY_EDITOR
        identity = ["-c", f"user.name={who[0]}", "-c", f"user.email={who[1]}"]
        done = subprocess.run(
            ["git", *identity, "-C", str(self.root), *args],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def commit(self, message: str, author: tuple[str, str]) -> None:
        """Commit everything as `author`."""
        self.git("add", "--all", author=author)
        self.git("commit", "--quiet", "--allow-empty", "-m", message, author=author)
