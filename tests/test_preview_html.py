"""`humaspost preview --format html`: one self-contained page that draws each delivery as
its platform shows it. Checked as text, and, with Debian's chromium (.ci/run installs
it), rendered headless: the DOM after layout holds every part, and the screenshot holds
each card's colours and the embedded images.

Run as a script to draw the example of the docs (docs/images/preview-html.png):

    .venv/bin/python -m tests.test_preview_html docs/images/preview-html.png
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.chromium import RGB, decode_png, dom_after_layout, find_chromium, png, screenshot
from tests.conftest import Repo, run_humaspost

NOW = "2026-11-28 09:00"
# Wide enough for an X column and a Facebook card side by side, tall enough for the
# example.
WINDOW = (1240, 1480)

# Colours the page draws in solid blocks (see humaspost/preview_html.py), and those of
# the example's images.
X_BLACK = (0x0F, 0x14, 0x19)
FACEBOOK_BLUE = (0x18, 0x77, 0xF2)
LIMIT_RED = (0xF4, 0x21, 0x2E)
OVERFLOW_PINK = (0xFF, 0xD2, 0xD6)
POSTER_ORANGE = (0xF5, 0x7C, 0x00)
MAP_GREEN = (0xC8, 0xE6, 0xC9)


def solid(colour: RGB) -> Callable[[int, int], RGB]:
    """An image of one colour."""
    return lambda x, y: colour


def poster(x: int, y: int) -> RGB:
    """A market poster: orange, a white banner, green stalls along the bottom."""
    if 150 <= y < 210 and 40 <= x < 440:
        return (0xFF, 0xFF, 0xFF)
    if y >= 240 and (x // 60) % 2 == 0:
        return (0x2E, 0x7D, 0x32)
    return POSTER_ORANGE


def site_map(x: int, y: int) -> RGB:
    """A map of the square: green, grey roads, a red pin where the market is."""
    if (x - 300) ** 2 + (y - 120) ** 2 < 18**2:
        return (0xD3, 0x2F, 0x2F)
    if 140 <= y < 160 or 200 <= x < 220:
        return (0x9E, 0x9E, 0x9E)
    return MAP_GREEN


EXAMPLE_CONFIG = """\
timezone: Asia/Jakarta
accounts:
  pemkot-x:
    platform: twitter
    consumer_key: ${X_KEY}
    consumer_secret: ${X_SECRET}
    access_token: ${X_TOKEN}
    access_token_secret: ${X_TOKEN_SECRET}
  pemkot-fb:
    platform: facebook
    page_id: "104857600000000"
    access_token: ${FB_TOKEN}
  latihan:
    platform: sandbox
    like: twitter
  catatan:
    platform: sandbox
defaults:
  to: [pemkot-x, pemkot-fb]
"""
MARKET = """\
---
publish_at: 2026-12-10 07:00
media:
  - {file: ../../../media/pasar-murah.png, alt: "Poster Pasar Murah Kota Bekasi, 10 Desember 2026 di Alun-alun"}
  - {file: ../../../media/denah-alun-alun.png, alt: Denah lokasi stan pasar murah di sisi timur Alun-alun}
facebook:
  link: https://bekasikota.go.id/pasar-murah
---
Pasar Murah Kota Bekasi hadir lagi!
Kamis, 10 Desember 2026 pukul 07.00-12.00 WIB di Alun-alun Kota Bekasi.
Beras, minyak goreng, telur dan gula dengan harga terjangkau. #PasarMurah #KotaBekasi
---
Syarat: bawa KTP Kota Bekasi dan tas belanja sendiri. Satu KTP untuk satu paket.
Info lengkap: https://bekasikota.go.id/pasar-murah
---
Mohon datang tertib dan ikuti arahan petugas di lokasi. Sampai jumpa di Alun-alun!
"""
# A trainee's practice post, too long for X: the page marks where character 280 falls.
PRACTICE = """\
publish_at: 2026-12-10 09:00
to: [latihan, catatan]
text: >-
  Latihan: Pemerintah Kota Bekasi mengajak warga memeriksakan kesehatan secara gratis
  di Posyandu terdekat setiap Sabtu pagi. Layanan meliputi penimbangan balita, imunisasi
  dasar, pemeriksaan tekanan darah untuk lansia, dan konsultasi gizi. Jangan lupa membawa
  buku KIA dan kartu identitas. #KotaBekasiSehat
"""
EXAMPLE_FILES = ("posts/2026/12/pasar-murah.md", "posts/2026/12/latihan-posyandu.yaml")


def write_example(repo: Repo) -> None:
    """The example: a thread with two images to X and Facebook, and a practice post
    over X's limit to a sandbox account `like: twitter` and to a plain one."""
    repo.write_config(EXAMPLE_CONFIG)
    repo.media("pasar-murah.png", png(480, 270, poster))
    repo.media("denah-alun-alun.png", png(480, 270, site_map))
    repo.post("2026/12/pasar-murah.md", MARKET)
    repo.post("2026/12/latihan-posyandu.yaml", PRACTICE)


def page_of(repo: Repo, *files: str, language: str = "en") -> tuple[int, str]:
    result = run_humaspost(
        "preview",
        *files,
        "--now",
        NOW,
        "--format",
        "html",
        cwd=repo.root,
        env={"HUMASPOST_LANG": language},
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout


def test_a_thread_is_drawn_as_tweet_cards_and_facebook_as_a_page_post(repo: Repo) -> None:
    write_example(repo)
    code, page = page_of(repo, EXAMPLE_FILES[0])
    assert code == 0
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    x, facebook = page.split('<article class="delivery x">')[1].split(
        '<article class="delivery facebook">'
    )
    assert x.count('<li class="tweet">') == 3
    assert '<span class="name">pemkot-x</span><span class="handle">@pemkot-x</span>' in x
    assert "at Thursday, 10 December 2026 07:00 WIB" in x
    assert "part 1/3" in x and "part 3/3" in x and "of 280" in x
    # Links as X finds them (and counts 23), and hashtags, are coloured; line breaks kept.
    assert '<span class="link">https://bekasikota.go.id/pasar-murah</span>' in x
    assert '<span class="tag">#PasarMurah</span> <span class="tag">#KotaBekasi</span>' in x
    assert "hadir lagi!\nKamis, 10 Desember" in x
    # Media go with the first part, each with its alt text badge and text.
    first, rest = x.split('<li class="tweet">')[1], x.split('<li class="tweet">')[2]
    assert first.count('class="tile m') == 2 and 'class="media-grid n2"' in first
    assert first.count('<span class="alt-badge">ALT</span>') == 2
    assert "Denah lokasi stan pasar murah di sisi timur Alun-alun" in first
    assert "media-grid" not in rest
    # Facebook: one post joining the thread, the photos and the link card.
    assert facebook.count('<div class="fb-post">') == 1
    assert "part 1/1" in facebook and "of 63206" in facebook
    assert '<div class="link-domain">bekasikota.go.id</div>' in facebook
    assert "\n\nSyarat: bawa KTP" in facebook
    assert page.rstrip().endswith("</html>")


def test_links_as_x_finds_them_and_mentions_on_x_only(repo: Repo) -> None:
    text = "Posko: bpbd.bekasikota.go.id/siaga#peta (2/2) #Banjir2026 #2026 @humas_bekasi"
    repo.post("posko.yaml", f"publish_at: 2026-12-01 08:00\ntext: '{text}'\n")
    _, page = page_of(repo, "posts/posko.yaml")
    x, facebook = page.split('<article class="delivery facebook">')
    # A bare domain is a link on X (it counts 23), with its fragment; '#2026' is no tag.
    assert '<span class="link">bpbd.bekasikota.go.id/siaga#peta</span>' in x
    assert (
        '<span class="tag">#Banjir2026</span> #2026 <span class="mention">@humas_bekasi</span>' in x
    )
    assert "@humas_bekasi" in facebook and 'class="mention"' not in facebook


def test_the_page_loads_nothing_and_embeds_each_image_once(repo: Repo) -> None:
    write_example(repo)
    _, page = page_of(repo, *EXAMPLE_FILES)
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';' in page
    # No script, no stylesheet or font to fetch, no image from a file or the network.
    for loads in ("<script", "<link", "@import", "@font-face", " src=", "url(http", "url(file"):
        assert loads not in page
    images = re.findall(r"url\(\"data:image/png;base64,[A-Za-z0-9+/=]+\"\)", page)
    assert len(images) == 2  # shown by two deliveries, embedded once


def test_a_post_text_is_escaped(repo: Repo) -> None:
    repo.post(
        "jahil.yaml",
        """\
        publish_at: 2026-12-01 08:00
        to: pemkot-x
        text: "<script>alert('x')</script> & <img src=x onerror=alert(1)> \\"kutip\\""
        media:
          - {file: ../media/a.png, alt: "<b>tebal</b>"}
        """,
    )
    repo.media("a.png", png(4, 4, solid((0, 0, 0))))
    code, page = page_of(repo, "posts/jahil.yaml")
    assert code == 0
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;img src=x" in page
    assert "&quot;kutip&quot;" in page
    assert 'aria-label="&lt;b&gt;tebal&lt;/b&gt;"' in page


def test_an_over_long_part_marks_where_280_falls(repo: Repo) -> None:
    write_example(repo)
    code, page = page_of(repo, EXAMPLE_FILES[1])
    assert code == 1  # HP301, as in text and JSON
    assert 'class="problem error"' in page and "[HP301]" in page
    practice = page.split('<article class="delivery x sandbox">')[1].split("</article>")[0]
    assert '<span class="badge sandbox">sandbox, counted as X</span>' in practice
    assert '<span class="count over">' in practice
    fits, beyond = practice.split('<span class="limit-mark" title="the limit: 280">280</span>')
    assert fits.endswith("membawa buku KIA dan kartu id")
    assert beyond.startswith('<span class="overflow">entitas. </span>')
    # A hashtag beyond the limit is still a hashtag, in the text that does not fit.
    assert '<span class="overflow"><span class="tag">#KotaBekasiSehat</span></span>' in beyond
    assert "25 over: the text after the 280 mark does not fit" in practice
    assert '<a class="problem-count" href="#file-1-problems">' in practice
    # A sandbox account without `like` has no limit, and is drawn plain.
    plain = page.split('<article class="delivery plain sandbox">')[1]
    assert "limit-mark" not in plain and "(no limit)" in plain


def test_more_media_than_the_grid_a_video_and_an_unusable_file(repo: Repo) -> None:
    for number in range(5):
        repo.media(f"foto{number}.png", png(8, 8, solid((number * 40, 90, 120))))
    repo.media("video.mp4", b"\x00\x00\x00\x18ftypmp42" + bytes(32))
    repo.media("salah.png", b"%PDF-1.4\n" + bytes(32))
    photos = "".join(f"\n  - {{file: ../media/foto{n}.png, alt: Foto {n}}}" for n in range(4))
    repo.post(
        "kerja-bakti.yaml",
        "publish_at: 2026-12-01 08:00\nto: pemkot-fb\ntext: Kerja bakti\nmedia:"
        f"{photos}\n  - {{file: ../media/foto4.png}}\n",
    )
    repo.post(
        "video.yaml",
        "publish_at: 2026-12-01 08:00\nto: latihan\ntext: Video\nmedia:\n"
        "  - {file: ../media/video.mp4, alt: Video senam}\n  - {file: ../media/salah.png, alt: Salah}\n",
    )
    _, page = page_of(repo, "posts/kerja-bakti.yaml", "posts/video.yaml")
    facebook, sandbox = page.split('<article class="delivery plain sandbox">')
    # Four tiles, the last counting the fifth photo, whose alt text is missing.
    assert 'class="media-grid n4"' in facebook and facebook.count('class="tile m') == 4
    assert '<span class="more">+1</span></div></div>' in facebook
    assert '<li>media/foto4.png: <span class="missing">no alt text</span></li>' in facebook
    assert '<span class="tile-label">mp4: media/video.mp4</span>' in sandbox
    assert '<span class="tile-label">unusable: media/salah.png</span>' in sandbox


def test_drafts_repeats_and_a_post_with_nothing_to_send(repo: Repo) -> None:
    repo.post(
        "draf.yaml", "publish_at: 2026-12-31 20:00\ndraft: true\nto: pemkot-fb\ntext: Tahun baru\n"
    )
    repo.post("jumat.yaml", "repeat: '30 6 * * 5'\nto: latihan\ntext: Jumat Bersih\n")
    _, page = page_of(repo, "posts/draf.yaml", "posts/jumat.yaml")
    assert '<span class="draft">draft: checked, never published</span>' in page
    assert "repeats &#x27;30 6 * * 5&#x27;, next:" in page
    assert "<li>Friday, 11 December 2026 06:30 WIB</li>" in page
    assert page.count("<article ") == 2


def test_the_page_speaks_indonesian(repo: Repo) -> None:
    write_example(repo)
    code, page = page_of(repo, *EXAMPLE_FILES, language="id")
    assert code == 1
    assert '<html lang="id">' in page
    assert "<title>Pratinjau: yang akan diterima setiap akun</title>" in page
    assert "✗ 2 berkas, 4 pengiriman: 1 galat, 0 peringatan" in page
    assert "pada Kamis, 10 Desember 2026 07:00 WIB" in page
    assert "bagian 1/3" in page and "193 dari 280" in page
    assert "kelebihan 25: teks setelah tanda 280 tidak muat" in page
    assert "sandbox, dihitung sebagai X" in page
    assert "(tanpa batas)" in page


def test_output_writes_the_page_to_a_file(repo: Repo) -> None:
    write_example(repo)
    result = run_humaspost(
        "preview",
        EXAMPLE_FILES[0],
        "--now",
        NOW,
        "--format",
        "html",
        "--output",
        "p.html",
        cwd=repo.root,
    )
    assert result.returncode == 0 and result.stdout == ""
    assert (repo.root / "p.html").read_text("utf-8").startswith("<!DOCTYPE html>")
    text = run_humaspost(
        "preview", EXAMPLE_FILES[0], "--now", NOW, "--output", "p.txt", cwd=repo.root
    )
    assert text.stdout == "" and "part 1/3: 193 of 280" in (repo.root / "p.txt").read_text("utf-8")
    bad = run_humaspost(
        "preview",
        EXAMPLE_FILES[0],
        "--format",
        "html",
        "--output",
        "tidak-ada/p.html",
        cwd=repo.root,
    )
    assert bad.returncode == 2
    assert "cannot write 'tidak-ada/p.html': No such file or directory" in bad.stderr


# Headless chromium ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> str:
    return find_chromium()


def test_chromium_draws_every_part_of_the_example(
    chromium: str, repo: Repo, tmp_path: Path
) -> None:
    write_example(repo)
    _, html_text = page_of(repo, *EXAMPLE_FILES)
    page = tmp_path / "preview.html"
    page.write_text(html_text, encoding="utf-8")

    dom = dom_after_layout(chromium, page, WINDOW)
    shown = "".join(dom.text)
    assert dom.elements["script"] == 0
    assert dom.elements["article"] == 4 and dom.elements["li"] >= 4
    for part in MARKET.split("---\n")[2:]:
        assert unicodedata.normalize("NFC", part.strip()) in shown
    # The practice post on either side of the limit mark.
    assert "membawa buku KIA dan kartu id280entitas. #KotaBekasiSehat" in shown
    assert "Poster Pasar Murah Kota Bekasi, 10 Desember 2026 di Alun-alun" in shown

    shot = tmp_path / "preview.png"
    screenshot(chromium, page, shot, WINDOW)
    width, height, pixels = decode_png(shot.read_bytes())
    assert (width, height) == WINDOW
    counts = Counter(pixels)
    # Each card, mark and image is drawn: the X badges and avatars, Facebook's, the
    # limit mark and the text beyond it, and both embedded images.
    for colour in (X_BLACK, FACEBOOK_BLUE, LIMIT_RED, OVERFLOW_PINK, POSTER_ORANGE, MAP_GREEN):
        assert counts[colour] > 200, (colour, counts.most_common(12))
    assert len(counts) > 500  # text, anti-aliased: far from a blank page


if __name__ == "__main__":
    # Draw the example of the docs: python -m tests.test_preview_html OUT.png
    target = Path(sys.argv[1]).resolve()
    binary = shutil.which("chromium")
    if binary is None:
        sys.exit("chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as folder:
        example = Repo(Path(folder) / "repo")
        write_example(example)
        _, drawn = page_of(example, *EXAMPLE_FILES, language="id")
        html_file = Path(folder) / "preview.html"
        html_file.write_text(drawn, encoding="utf-8")
        screenshot(binary, html_file, target, WINDOW)
    print(f"wrote {target}")
