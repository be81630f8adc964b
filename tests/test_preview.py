"""`humaspost preview` end to end: the installed command in a subprocess."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import BASE_CONFIG, PNG_BYTES, Repo, run_humaspost

NOW = "2026-11-28 09:00"
THREAD = """\
---
publish_at: 2026-12-01 08:00
---
Pasar murah di Alun-alun,
Kamis 10 Desember.
---
Bawa KTP Kota Bekasi.
"""


def preview_json(repo: Repo, *files: str) -> tuple[int, dict[str, Any]]:
    result = run_humaspost("preview", *files, "--now", NOW, "--format", "json", cwd=repo.root)
    return result.returncode, json.loads(result.stdout)


def test_thread_with_an_image_to_x_and_facebook(repo: Repo) -> None:
    repo.media("pasar.png")
    repo.post(
        "pasar.md",
        THREAD.replace(
            "---\nPasar", "media:\n  - {file: ../media/pasar.png, alt: Poster pasar}\n---\nPasar"
        ),
    )
    result = run_humaspost("preview", "posts/pasar.md", "--now", NOW, cwd=repo.root)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    x, fb = out.split("→ pemkot-x (X)\n")[1].split("→ pemkot-fb (Facebook)\n")
    assert "at Tuesday, 1 December 2026 08:00 WIB" in x
    assert "part 1/2: 44 of 280" in x and "part 2/2: 21 of 280" in x
    assert f"media: media/pasar.png (png, {len(PNG_BYTES)} bytes)\n      alt: Poster pasar" in x
    # Facebook gets the thread joined into one post, with the image.
    assert "part 1/1: 67 of 63206" in fb and "media: media/pasar.png" in fb
    assert max(len(line) for line in out.splitlines()) <= 80
    assert out.endswith("✓ 1 file, 2 deliveries: no problems\n")


def test_line_breaks_are_shown(repo: Repo) -> None:
    repo.post("pasar.md", THREAD.replace("publish_at", "to: pemkot-x\npublish_at"))
    out = run_humaspost("preview", "posts/pasar.md", "--now", NOW, cwd=repo.root).stdout
    assert "      │ Pasar murah di Alun-alun,⏎\n      │ Kamis 10 Desember.\n" in out


def test_over_long_x_part_shows_where_280_falls(repo: Repo) -> None:
    # "Info " 5 + the URL 23 + " " 1 + the emoji 2 + " " 1 = 32; 248 letters reach 280.
    head = "Info https://bekasikota.go.id/berita/pasar-murah-2026-di-alun-alun 🎉 " + "a" * 248
    repo.post("panjang.yaml", f"publish_at: 2026-12-01 08:00\nto: pemkot-x\ntext: {head}LEBIH\n")
    code, data = preview_json(repo, "posts/panjang.yaml")
    assert code == 1
    (file,) = data["files"]
    assert [p["code"] for p in file["problems"]] == ["HP301"]
    (part,) = file["deliveries"][0]["parts"]
    assert (part["length"], part["limit"], part["over_by"]) == (285, 280, 5)
    assert part["overflow"] == "LEBIH"
    result = run_humaspost("preview", "posts/panjang.yaml", "--now", NOW, cwd=repo.root)
    assert "part 1/1: 285 of 280, 5 over; ⟨…⟩ does not fit" in result.stdout
    assert "aaaa⟨LEBIH⟩\n" in result.stdout


def test_a_group_expands_to_its_accounts(repo: Repo) -> None:
    repo.post("kec.yaml", "publish_at: 2026-12-05 07:00\nto: semua-kecamatan\ntext: Imunisasi\n")
    code, data = preview_json(repo, "posts/kec.yaml")
    assert code == 0
    deliveries = data["files"][0]["deliveries"]
    assert [(d["account"], d["platform"]) for d in deliveries] == [
        ("kec-timur", "facebook"),
        ("kec-barat", "facebook"),
    ]


def test_a_repeat_shows_its_next_three_occurrences(repo: Repo) -> None:
    repo.post("jumat.yaml", "repeat: '30 6 * * 5'\nto: pemkot-fb\ntext: Jumat Bersih\n")
    result = run_humaspost("preview", "posts/jumat.yaml", "--now", NOW, cwd=repo.root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        "    repeats '30 6 * * 5', next:\n"
        "      Friday, 4 December 2026 06:30 WIB\n"
        "      Friday, 11 December 2026 06:30 WIB\n"
        "      Friday, 18 December 2026 06:30 WIB\n"
    ) in result.stdout
    _, data = preview_json(repo, "posts/jumat.yaml")
    (delivery,) = data["files"][0]["deliveries"]
    assert delivery["publish_at"] == "2026-12-03T23:30:00+00:00"
    assert len(delivery["occurrences"]) == 3


def test_json_shape(repo: Repo) -> None:
    repo.media("peta.png")
    repo.post(
        "banjir.yaml",
        """\
        publish_at: 2026-12-01 08:00
        to: [pemkot-x, pemkot-fb]
        text: |
          Waspada banjir
        media:
          - {file: ../media/peta.png, alt: Peta rawan banjir}
        facebook:
          text: Waspada banjir, info lengkap di tautan.
          link: https://bpbd.bekasikota.go.id/siaga
        """,
    )
    code, data = preview_json(repo, "posts/banjir.yaml")
    assert code == 0
    time = {
        "publish_at": "2026-12-01T01:00:00+00:00",
        "local_time": "Tuesday, 1 December 2026 08:00 WIB",
    }
    media = [
        {
            "file": "media/peta.png",
            "alt": "Peta rawan banjir",
            "format": "png",
            "bytes": len(PNG_BYTES),
        }
    ]
    assert data == {
        "files": [
            {
                "file": "posts/banjir.yaml",
                "post": "banjir",
                "problems": [],
                "deliveries": [
                    {
                        "account": "pemkot-x",
                        "platform": "twitter",
                        **time,
                        "repeat": None,
                        "occurrences": [time],
                        "draft": False,
                        "parts": [
                            {
                                "text": "Waspada banjir",
                                "length": 14,
                                "limit": 280,
                                "over_by": 0,
                                "overflow": "",
                            }
                        ],
                        "media": media,
                        "link": None,
                        "reshared_by": [],
                    },
                    {
                        "account": "pemkot-fb",
                        "platform": "facebook",
                        **time,
                        "repeat": None,
                        "occurrences": [time],
                        "draft": False,
                        "parts": [
                            {
                                "text": "Waspada banjir, info lengkap di tautan.",
                                "length": 39,
                                "limit": 63206,
                                "over_by": 0,
                                "overflow": "",
                            }
                        ],
                        "media": media,
                        "link": "https://bpbd.bekasikota.go.id/siaga",
                        "reshared_by": [],
                    },
                ],
            }
        ]
    }


def test_a_file_with_errors_shows_its_problems_like_check(repo: Repo) -> None:
    repo.post("salah.yaml", "publish_at: 2026-12-01 08:00\nto: [pemkot-x, pemkot-ig]\ntext: Halo\n")
    result = run_humaspost("preview", "posts/salah.yaml", "--now", NOW, cwd=repo.root)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[1] == (
        "posts/salah.yaml:2:16: error[HP103] unknown account or group 'pemkot-ig' in 'to'"
    )
    assert "hint: did you mean 'pemkot-x'?" in lines[4]
    # The accounts that are known still show what they would get.
    assert "→ pemkot-x (X)" in result.stdout
    assert result.stdout.endswith("✗ 1 file, 1 delivery: 1 error, 0 warnings\n")
    code, data = preview_json(repo, "posts/salah.yaml")
    check = run_humaspost(
        "check", "posts/salah.yaml", "--now", NOW, "--format", "json", cwd=repo.root
    )
    assert code == 1 and data["files"][0]["problems"] == json.loads(check.stdout)["problems"]


def test_a_missing_file_is_a_usage_error(repo: Repo) -> None:
    result = run_humaspost("preview", "posts/tidak-ada.md", "--now", NOW, cwd=repo.root)
    assert result.returncode == 2
    assert "no such file or folder: posts/tidak-ada.md" in result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr


def test_the_preview_speaks_indonesian(repo: Repo) -> None:
    repo.media("pasar.png")
    repo.post(
        "pasar.md",
        THREAD.replace(
            "---\nPasar", "media:\n  - {file: ../media/pasar.png, alt: Poster pasar}\n---\nPasar"
        ),
    )
    repo.post(
        "draf.yaml",
        "publish_at: 2026-09-29 08:00\ndraft: true\nto: pemkot-x\ntext: Rapat\n",
    )
    result = run_humaspost(
        "preview",
        "posts/pasar.md",
        "posts/draf.yaml",
        "--now",
        NOW,
        cwd=repo.root,
        env={"HUMASPOST_LANG": "id"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "posts/pasar.md  (unggahan pasar)\n  → pemkot-x (X)\n" in out
    assert "    pada Selasa, 1 Desember 2026 08:00 WIB\n    bagian 1/2: 44 dari 280\n" in out
    assert (
        f"    media: media/pasar.png (png, {len(PNG_BYTES)} byte)\n      alt: Poster pasar\n" in out
    )
    assert "    pada Selasa, 29 September 2026 08:00 WIB  (draf: diperiksa, tidak terbit)\n" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert out.endswith("✓ 2 berkas, 3 pengiriman: tidak ada masalah\n")


def test_an_over_long_part_in_indonesian(repo: Repo) -> None:
    repo.post("panjang.yaml", f"publish_at: 2026-12-01 08:00\nto: latihan\ntext: {'a' * 290}\n")
    repo.write_config(
        BASE_CONFIG.replace("platform: sandbox", "platform: sandbox\n    like: twitter")
    )
    result = run_humaspost(
        "preview", "posts/panjang.yaml", "--now", NOW, cwd=repo.root, env={"HUMASPOST_LANG": "id"}
    )
    assert result.returncode == 1
    assert "  → latihan (sandbox, dihitung sebagai X)\n" in result.stdout
    assert "    bagian 1/1: 290 dari 280, kelebihan 10; ⟨…⟩ tidak muat\n" in result.stdout
    assert result.stdout.endswith("✗ 1 berkas, 1 pengiriman: 1 galat, 0 peringatan\n")
    english = run_humaspost("preview", "posts/panjang.yaml", "--now", NOW, cwd=repo.root)
    assert "  → latihan (sandbox, counted as X)\n" in english.stdout
    assert "    part 1/1: 290 of 280, 10 over; ⟨…⟩ does not fit\n" in english.stdout


def test_help_offers_html_and_output(repo: Repo) -> None:
    result = run_humaspost("preview", "--help", cwd=repo.root)
    assert result.returncode == 0
    assert "html" in result.stdout and "--output" in result.stdout
