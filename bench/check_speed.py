#!/usr/bin/env python3
"""How fast is `humaspost check` on a big repository, compared with just reading the YAML?

Run by hand (not in CI):

    .venv/bin/python bench/check_speed.py                  # 10,000 posts, 3 runs each
    .venv/bin/python bench/check_speed.py --count 2000 --repeat 5
    .venv/bin/python bench/check_speed.py --dir /tmp/hp-bench --keep   # keep the repo
    .venv/bin/python bench/check_speed.py --profile        # always print a cProfile

It generates a realistic repository (config, media, N valid post files), then times,
each as a separate process and including interpreter start-up:

* the floor: a bare Python that walks posts/, reads every file and parses its YAML
  with `yaml.load(..., Loader=yaml.CSafeLoader)` (the front matter of .md files);
* `humaspost check` on all posts: cold (`--no-cache`, as CI runs it), filling a new cache,
  from the cache (nothing changed), from the cache after one post was edited, and
  `--format json` cold; and on one file (cold, and from the cache);
* the least a check from its cache could take: humaspost's command-line wiring imported,
  posts/ walked and every post's bytes read, and nothing else.

Targets (issue 15): cold check <= 1.0x the floor; from the cache <= 0.25x; check on one
file < 0.15 s. When the first target is missed the script profiles the cold `check`
with cProfile and prints the hot spots.

Exit code: 0 all good, 1 a target missed, 2 a command failed or reported problems
(every generated post is valid, so a problem means a bug in humaspost or here).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import textwrap
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from common import (
    MARKER,
    PROFILE_SHORT,
    best_of,
    cpu_summary,
    installed_humaspost,
    median_of,
    run,
    tail,
)

TARGET_RATIO = 1.0
TARGET_WARM_RATIO = 0.25
TARGET_ONE_FILE = 0.15

# ---------------------------------------------------------------------------------------
# Media: small but real PNG and JPEG files, made with the standard library only.
# ---------------------------------------------------------------------------------------

Pixel = tuple[int, int, int]
Painter = Callable[[int, int], Pixel]


def png_bytes(width: int, height: int, paint: Painter) -> bytes:
    """A valid 8-bit RGB PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type: none
        for x in range(width):
            rows.extend(paint(x, y))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


class _BitWriter:
    def __init__(self) -> None:
        self.out = bytearray()
        self.acc = 0
        self.bits = 0

    def write(self, value: int, length: int) -> None:
        for shift in range(length - 1, -1, -1):
            self.acc = (self.acc << 1) | ((value >> shift) & 1)
            self.bits += 1
            if self.bits == 8:
                self.out.append(self.acc)
                if self.acc == 0xFF:
                    self.out.append(0)  # byte stuffing
                self.acc = self.bits = 0

    def flush(self) -> bytes:
        if self.bits:
            self.write((1 << (8 - self.bits)) - 1, 8 - self.bits)  # pad with 1-bits
        return bytes(self.out)


# The standard DC table of JPEG Annex K; the AC table holds only end-of-block, since
# every 8x8 block here is one flat colour (a mosaic, like a pixelated photo).
_DC_COUNTS = (0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0)
_DC_SYMBOLS = tuple(range(12))
_AC_COUNTS = (1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
_AC_SYMBOLS = (0x00,)


def _huffman_codes(counts: Sequence[int], symbols: Sequence[int]) -> dict[int, tuple[int, int]]:
    codes: dict[int, tuple[int, int]] = {}
    code, index = 0, 0
    for length, count in enumerate(counts, start=1):
        for _ in range(count):
            codes[symbols[index]] = (code, length)
            code += 1
            index += 1
        code <<= 1
    return codes


def jpeg_bytes(width: int, height: int, paint: Painter) -> bytes:
    """A valid baseline YCbCr JPEG (JFIF); `paint` is sampled once per 8x8 block."""
    assert width % 8 == 0 and height % 8 == 0

    def segment(marker: int, data: bytes) -> bytes:
        return struct.pack(">HH", marker, len(data) + 2) + data

    dc_codes = _huffman_codes(_DC_COUNTS, _DC_SYMBOLS)
    eob_code, eob_length = _huffman_codes(_AC_COUNTS, _AC_SYMBOLS)[0]
    writer = _BitWriter()
    previous = [0, 0, 0]
    for by in range(height // 8):
        for bx in range(width // 8):
            r, g, b = paint(bx * 8 + 4, by * 8 + 4)
            ycc = (
                0.299 * r + 0.587 * g + 0.114 * b,
                128 - 0.168736 * r - 0.331264 * g + 0.5 * b,
                128 + 0.5 * r - 0.418688 * g - 0.081312 * b,
            )
            for component, value in enumerate(ycc):
                # A flat block's DC coefficient is 8 x (level - 128); quantiser 1.
                dc = round(8 * (min(max(value, 0), 255) - 128))
                diff = dc - previous[component]
                previous[component] = dc
                category = abs(diff).bit_length()
                code, length = dc_codes[category]
                writer.write(code, length)
                if category:
                    writer.write(diff if diff > 0 else diff + (1 << category) - 1, category)
                writer.write(eob_code, eob_length)
    components = b"".join(bytes((ident, 0x11, 0)) for ident in (1, 2, 3))
    return b"".join(
        (
            b"\xff\xd8",
            segment(0xFFE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            segment(0xFFDB, b"\x00" + b"\x01" * 64),
            segment(0xFFC0, struct.pack(">BHHB", 8, height, width, 3) + components),
            segment(0xFFC4, b"\x00" + bytes(_DC_COUNTS) + bytes(_DC_SYMBOLS)),
            segment(0xFFC4, b"\x10" + bytes(_AC_COUNTS) + bytes(_AC_SYMBOLS)),
            segment(
                0xFFDA, b"\x03" + b"".join(bytes((i, 0x00)) for i in (1, 2, 3)) + b"\x00\x3f\x00"
            ),
            writer.flush(),
            b"\xff\xd9",
        )
    )


def _gradient(base: Pixel, tint: Pixel, width: int, height: int) -> Painter:
    def paint(x: int, y: int) -> Pixel:
        t = (x / width + y / height) / 2
        wave = 24 if ((x // 40) + (y // 40)) % 2 else 0
        return (
            min(255, int(base[0] + (tint[0] - base[0]) * t) + wave),
            min(255, int(base[1] + (tint[1] - base[1]) * t) + wave),
            min(255, int(base[2] + (tint[2] - base[2]) * t) + wave),
        )

    return paint


# name, width, height, start colour, end colour
MEDIA_FILES: tuple[tuple[str, int, int, Pixel, Pixel], ...] = (
    ("logo-pemkot-bekasi.png", 200, 200, (0, 90, 160), (240, 200, 40)),
    ("peta-rawan-banjir.png", 320, 240, (30, 120, 200), (200, 230, 255)),
    ("infografis/pbb-2027.png", 240, 320, (20, 140, 80), (250, 250, 240)),
    ("infografis/jadwal-posyandu.png", 240, 240, (230, 90, 120), (255, 240, 245)),
    ("poster-imunisasi.jpg", 640, 360, (200, 40, 40), (255, 255, 255)),
    ("kerja-bakti-kali.jpg", 800, 448, (60, 130, 60), (160, 120, 70)),
    ("bazar-umkm.jpg", 640, 480, (250, 150, 30), (90, 30, 120)),
    ("hut-kota-bekasi.jpg", 512, 512, (180, 20, 30), (255, 215, 0)),
)


def write_media(root: Path) -> list[Path]:
    """Write the media files; return their paths."""
    paths = []
    for name, width, height, start, end in MEDIA_FILES:
        path = root / "media" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        paint = _gradient(start, end, width, height)
        data = (
            png_bytes(width, height, paint)
            if name.endswith(".png")
            else jpeg_bytes(width, height, paint)
        )
        path.write_bytes(data)
        paths.append(path)
    return paths


# ---------------------------------------------------------------------------------------
# The config.
# ---------------------------------------------------------------------------------------

KECAMATAN = (
    "bekasi-timur",
    "bekasi-barat",
    "bekasi-utara",
    "bekasi-selatan",
    "medan-satria",
    "rawalumbu",
)

CONFIG = """\
# humaspost configuration of the Humas office of Kota Bekasi (generated for a benchmark).
# Secrets are never written here: only ${{ENV_VAR}} references.

timezone: Asia/Jakarta        # WIB
posts_dir: posts
state_dir: .humaspost
max_delay: 2h                  # a post this late is marked missed, not sent
require_alt_text: true

accounts:
  pemkot-x:
    platform: twitter
    consumer_key: ${{X_PEMKOT_CONSUMER_KEY}}
    consumer_secret: ${{X_PEMKOT_CONSUMER_SECRET}}
    access_token: ${{X_PEMKOT_ACCESS_TOKEN}}
    access_token_secret: ${{X_PEMKOT_ACCESS_TOKEN_SECRET}}
    daily_limit: 40
  pemkot-fb:
    platform: facebook
    page_id: "104857600000000"
    access_token: ${{FB_PEMKOT_PAGE_TOKEN}}
  dinkes-x:
    platform: twitter
    consumer_key: ${{X_DINKES_CONSUMER_KEY}}
    consumer_secret: ${{X_DINKES_CONSUMER_SECRET}}
    access_token: ${{X_DINKES_ACCESS_TOKEN}}
    access_token_secret: ${{X_DINKES_ACCESS_TOKEN_SECRET}}
  dinkes-fb:
    platform: facebook
    page_id: "104857600000050"
    access_token: ${{FB_DINKES_PAGE_TOKEN}}
  bpbd-x:
    platform: twitter
    consumer_key: ${{X_BPBD_CONSUMER_KEY}}
    consumer_secret: ${{X_BPBD_CONSUMER_SECRET}}
    access_token: ${{X_BPBD_ACCESS_TOKEN}}
    access_token_secret: ${{X_BPBD_ACCESS_TOKEN_SECRET}}
{kecamatan}  latihan:
    platform: sandbox          # built-in local platform: no network, no credentials
    like: twitter              # apply X's limits, to practise

groups:
  semua-kecamatan: [{group}]
  kesehatan: [dinkes-x, dinkes-fb]
  siaga-bencana: [bpbd-x, pemkot-x, pemkot-fb]

defaults:
  to: [pemkot-x, pemkot-fb]
"""


def config_text() -> str:
    """The humaspost.yaml of the generated repository."""
    kecamatan = "".join(
        f"  kec-{name}:\n"
        "    platform: facebook\n"
        f'    page_id: "1048576000001{index:02d}"\n'
        f"    access_token: ${{FB_KEC_{name.upper().replace('-', '_')}_TOKEN}}\n"
        for index, name in enumerate(KECAMATAN, start=1)
    )
    group = ", ".join(f"kec-{name}" for name in KECAMATAN)
    return CONFIG.format(kecamatan=kecamatan, group=group)


# ---------------------------------------------------------------------------------------
# Posts: Indonesian texts from a PR office, all valid and all different.
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """Something a post announces."""

    slug: str
    name: str  # lower case, used after "ikuti" or capitalised at the start
    details: tuple[str, ...]
    requirements: tuple[str, ...]


@dataclass(frozen=True)
class Topic:
    """A theme of posts, the office behind it and its events."""

    tag: str
    office: str
    domain: str
    hashtags: tuple[str, ...]
    events: tuple[Event, ...]
    media: tuple[str, ...]


TOPICS: tuple[Topic, ...] = (
    Topic(
        "kesehatan",
        "Dinas Kesehatan",
        "dinkes.bekasikota.go.id",
        ("#BekasiSehat", "#GermasBekasi", "#CegahStunting"),
        (
            Event(
                "imunisasi-anak",
                "imunisasi anak gratis",
                (
                    "Tersedia vaksin campak-rubela, polio, dan DPT untuk balita.",
                    "Sasaran: bayi dan balita usia 0-59 bulan.",
                    "Petugas Puskesmas akan memeriksa kondisi anak sebelum vaksinasi.",
                ),
                (
                    "Bawa buku KIA dan pastikan anak dalam keadaan sehat.",
                    "Orang tua diminta membawa fotokopi KK dan buku KIA.",
                ),
            ),
            Event(
                "cek-kesehatan",
                "pemeriksaan kesehatan gratis",
                (
                    "Cek tekanan darah, gula darah, kolesterol, dan asam urat tanpa biaya.",
                    "Khusus warga usia 40 tahun ke atas, kuota 150 orang.",
                    "Konsultasi dengan dokter umum dan ahli gizi juga tersedia.",
                ),
                (
                    "Bawa KTP-el Kota Bekasi dan datang dalam keadaan puasa 8 jam.",
                    "Pendaftaran di tempat, mohon datang 30 menit lebih awal.",
                ),
            ),
            Event(
                "donor-darah",
                "donor darah bersama PMI Kota Bekasi",
                (
                    "Setiap kantong darah sangat berarti bagi pasien yang membutuhkan.",
                    "Pendonor mendapat bingkisan dan pemeriksaan hemoglobin gratis.",
                ),
                (
                    "Syarat: usia 17-60 tahun, berat badan minimal 45 kg, cukup tidur.",
                    "Jangan lupa sarapan dan membawa kartu donor bila punya.",
                ),
            ),
            Event(
                "posyandu-balita",
                "posyandu balita dan penimbangan bulanan",
                (
                    "Kader posyandu mencatat tumbuh kembang anak setiap bulan.",
                    "Ada pemberian makanan tambahan dan vitamin A untuk balita.",
                ),
                (
                    "Bawa buku KIA, anak ditimbang dan diukur tinggi badannya.",
                    "Ibu hamil juga dapat memeriksakan kehamilan di meja 5.",
                ),
            ),
            Event(
                "psn-dbd",
                "gerakan pemberantasan sarang nyamuk",
                (
                    "Lakukan 3M Plus: menguras, menutup, mendaur ulang, dan cegah gigitan nyamuk.",
                    "Jumantik akan memeriksa jentik di rumah warga secara bergiliran.",
                ),
                (
                    "Warga diminta membuka akses ke bak mandi dan tempat penampungan air.",
                    "Laporkan bila ada warga demam tinggi lebih dari 2 hari ke Puskesmas.",
                ),
            ),
        ),
        ("poster-imunisasi.jpg", "infografis/jadwal-posyandu.png"),
    ),
    Topic(
        "lingkungan",
        "Dinas Lingkungan Hidup",
        "dlh.bekasikota.go.id",
        ("#BekasiBersih", "#PilahSampah", "#KaliBersih"),
        (
            Event(
                "kerja-bakti",
                "kerja bakti bersih kali",
                (
                    "Kita bersihkan sampah dan eceng gondok di sepanjang aliran kali.",
                    "Petugas DLH menyiapkan truk pengangkut dan alat kebersihan.",
                ),
                (
                    "Gunakan sepatu bot, sarung tangan, dan bawa botol minum sendiri.",
                    "Ketua RT mengoordinasikan warga di wilayah masing-masing.",
                ),
            ),
            Event(
                "bank-sampah",
                "penimbangan bank sampah",
                (
                    "Sampah anorganik yang sudah dipilah bisa ditabung dan dicairkan.",
                    "Botol plastik, kardus, dan kaleng diterima dalam keadaan bersih.",
                ),
                (
                    "Pisahkan sampah sesuai jenisnya dan bawa buku tabungan bank sampah.",
                    "Nasabah baru cukup membawa KTP untuk membuka rekening.",
                ),
            ),
            Event(
                "tanam-pohon",
                "gerakan menanam pohon",
                (
                    "Sebanyak 500 bibit trembesi dan mangga disiapkan untuk ditanam.",
                    "Pohon peneduh membantu menurunkan suhu dan menyerap air hujan.",
                ),
                (
                    "Peserta diharap membawa cangkul kecil bila ada.",
                    "Pelajar dan komunitas pecinta lingkungan dipersilakan bergabung.",
                ),
            ),
        ),
        ("kerja-bakti-kali.jpg", "logo-pemkot-bekasi.png"),
    ),
    Topic(
        "kebencanaan",
        "BPBD Kota Bekasi",
        "bpbd.bekasikota.go.id",
        ("#SiagaBencana", "#BekasiTangguh", "#WaspadaBanjir"),
        (
            Event(
                "simulasi-evakuasi",
                "simulasi evakuasi banjir",
                (
                    "Warga berlatih menuju titik kumpul dan posko pengungsian terdekat.",
                    "Tim SAR BPBD memperagakan penggunaan perahu karet dan pelampung.",
                ),
                (
                    "Siapkan tas siaga berisi dokumen penting, obat, dan senter.",
                    "Catat nomor darurat BPBD Kota Bekasi: 112, gratis dan 24 jam.",
                ),
            ),
            Event(
                "bersih-saluran",
                "pembersihan saluran air menjelang musim hujan",
                (
                    "Saluran yang tersumbat sampah menjadi penyebab utama genangan.",
                    "Alat berat dikerahkan untuk mengeruk lumpur di saluran primer.",
                ),
                (
                    "Jangan membuang sampah ke selokan, kali, atau gorong-gorong.",
                    "Laporkan saluran tersumbat lewat aplikasi Bekasi Smart City.",
                ),
            ),
        ),
        ("peta-rawan-banjir.png",),
    ),
    Topic(
        "kependudukan",
        "Disdukcapil Kota Bekasi",
        "disdukcapil.bekasikota.go.id",
        ("#DukcapilBekasi", "#Adminduk"),
        (
            Event(
                "ktp-jemput-bola",
                "layanan jemput bola perekaman KTP-el",
                (
                    "Petugas Disdukcapil hadir langsung untuk merekam data warga.",
                    "Prioritas bagi lansia, penyandang disabilitas, dan pemilih pemula.",
                ),
                (
                    "Bawa fotokopi KK; cukup datang, tanpa antre online.",
                    "Warga yang sudah berusia 17 tahun wajib memiliki KTP-el.",
                ),
            ),
            Event(
                "akta-kelahiran",
                "pelayanan akta kelahiran keliling",
                (
                    "Akta kelahiran dan KIA dapat diurus di satu tempat, gratis.",
                    "Dokumen selesai dalam satu hari bila berkas lengkap.",
                ),
                (
                    "Siapkan surat keterangan lahir, KK, dan buku nikah orang tua.",
                    "Berkas asli dibawa untuk dicocokkan petugas.",
                ),
            ),
        ),
        ("logo-pemkot-bekasi.png",),
    ),
    Topic(
        "pajak",
        "Bapenda Kota Bekasi",
        "bapenda.bekasikota.go.id",
        ("#BayarPajakBangunBekasi", "#PBBKotaBekasi"),
        (
            Event(
                "pemutihan-denda",
                "program penghapusan denda PBB",
                (
                    "Denda keterlambatan PBB tahun-tahun sebelumnya dihapus seluruhnya.",
                    "Cukup bayar pokok pajaknya, tanpa tambahan sanksi administrasi.",
                ),
                (
                    "Bayar di bank mitra, kantor pos, atau lewat aplikasi e-PBB.",
                    "Bawa SPPT PBB atau sebutkan NOP kepada petugas.",
                ),
            ),
            Event(
                "gerai-pajak",
                "gerai layanan pajak daerah keliling",
                (
                    "Konsultasi PBB, BPHTB, dan pajak reklame di satu gerai.",
                    "Petugas membantu pengecekan tunggakan dan pencetakan SPPT.",
                ),
                (
                    "Siapkan NOP yang tertera di SPPT dan KTP-el wajib pajak.",
                    "Pembayaran dapat dilakukan dengan QRIS di lokasi.",
                ),
            ),
        ),
        ("infografis/pbb-2027.png",),
    ),
    Topic(
        "umkm",
        "Dinas Koperasi dan UMKM",
        "dinkopukm.bekasikota.go.id",
        ("#UMKMBekasiNaikKelas", "#BanggaBuatanBekasi"),
        (
            Event(
                "bazar-umkm",
                "bazar produk UMKM Kota Bekasi",
                (
                    "Lebih dari 60 pelaku usaha menjual kuliner, kriya, dan busana lokal.",
                    "Ada panggung hiburan dan demo masak dari pelaku usaha binaan.",
                ),
                (
                    "Pembayaran bisa tunai atau QRIS, parkir gratis.",
                    "Pelaku usaha yang ingin ikut bazar berikutnya dapat mendaftar di lokasi.",
                ),
            ),
            Event(
                "pelatihan-digital",
                "pelatihan pemasaran digital untuk UMKM",
                (
                    "Materi: foto produk dengan ponsel, katalog online, dan iklan media sosial.",
                    "Peserta mendapat sertifikat dan pendampingan selama satu bulan.",
                ),
                (
                    "Kuota 40 peserta, daftar melalui formulir di tautan berikut.",
                    "Bawa ponsel dengan baterai penuh dan contoh produk.",
                ),
            ),
            Event(
                "sertifikasi-halal",
                "pendampingan sertifikasi halal gratis",
                (
                    "Program self declare bagi usaha mikro makanan dan minuman.",
                    "Pendamping proses produk halal membantu pengisian berkas.",
                ),
                (
                    "Siapkan NIB, foto produk, dan daftar bahan baku.",
                    "Prioritas bagi usaha yang belum pernah mengajukan sertifikat halal.",
                ),
            ),
        ),
        ("bazar-umkm.jpg",),
    ),
    Topic(
        "pendidikan",
        "Dinas Pendidikan",
        "disdik.bekasikota.go.id",
        ("#BekasiCerdas", "#AyoMembaca"),
        (
            Event(
                "perpustakaan-keliling",
                "perpustakaan keliling",
                (
                    "Mobil perpustakaan membawa lebih dari 2.000 judul buku anak dan umum.",
                    "Ada sesi mendongeng untuk anak-anak usia TK dan SD.",
                ),
                (
                    "Peminjaman buku cukup dengan menunjukkan kartu pelajar atau KTP.",
                    "Buku dikembalikan pada kunjungan berikutnya.",
                ),
            ),
            Event(
                "sosialisasi-spmb",
                "sosialisasi penerimaan murid baru",
                (
                    "Dijelaskan jalur domisili, afirmasi, prestasi, dan mutasi.",
                    "Orang tua dapat bertanya langsung kepada panitia tingkat kota.",
                ),
                (
                    "Bawa KK dan akta kelahiran calon murid untuk simulasi pendaftaran.",
                    "Terbuka untuk orang tua murid kelas 6 SD dan kelas 9 SMP.",
                ),
            ),
        ),
        ("logo-pemkot-bekasi.png",),
    ),
    Topic(
        "olahraga",
        "Dispora Kota Bekasi",
        "dispora.bekasikota.go.id",
        ("#BekasiBergerak", "#AyoOlahraga"),
        (
            Event(
                "senam-sehat",
                "senam sehat bersama",
                (
                    "Dipandu instruktur senam, diikuti jalan santai keliling lingkungan.",
                    "Tersedia doorprize sepeda dan peralatan rumah tangga.",
                ),
                (
                    "Gunakan pakaian olahraga dan bawa botol minum sendiri.",
                    "Peserta cukup datang, tanpa pendaftaran.",
                ),
            ),
            Event(
                "turnamen-futsal",
                "turnamen futsal pelajar",
                (
                    "Diikuti tim SMP dan SMA se-Kota Bekasi.",
                    "Pemenang mewakili Kota Bekasi di tingkat provinsi.",
                ),
                (
                    "Pendaftaran tim dibuka hingga satu minggu sebelum pertandingan.",
                    "Setiap tim membawa surat rekomendasi dari sekolah.",
                ),
            ),
        ),
        ("hut-kota-bekasi.jpg",),
    ),
    Topic(
        "pelayanan",
        "Diskominfostandi Kota Bekasi",
        "bekasikota.go.id",
        ("#PelayananPublik", "#BekasiKerenNyaman"),
        (
            Event(
                "mpp-sabtu",
                "layanan Mal Pelayanan Publik hari Sabtu",
                (
                    "Lebih dari 20 instansi melayani perizinan, kependudukan, dan pajak.",
                    "Antrean dapat diambil lebih awal lewat aplikasi.",
                ),
                (
                    "Bawa dokumen asli sesuai layanan yang dibutuhkan.",
                    "Tanyakan persyaratan lewat layanan WhatsApp sebelum datang.",
                ),
            ),
            Event(
                "forum-warga",
                "forum warga bersama Wali Kota",
                (
                    "Warga dapat menyampaikan usulan pembangunan dan keluhan layanan.",
                    "Camat dan lurah hadir untuk menindaklanjuti laporan di tempat.",
                ),
                (
                    "Tulis usulan singkat di formulir yang disediakan panitia.",
                    "Terbuka untuk umum, mohon hadir tepat waktu.",
                ),
            ),
        ),
        ("logo-pemkot-bekasi.png", "hut-kota-bekasi.jpg"),
    ),
)

KELURAHAN = (
    "Margahayu",
    "Duren Jaya",
    "Aren Jaya",
    "Bekasi Jaya",
    "Kayuringin Jaya",
    "Pekayon Jaya",
    "Jakasetia",
    "Margajaya",
    "Harapan Jaya",
    "Kaliabang Tengah",
    "Perwira",
    "Teluk Pucung",
    "Harapan Mulya",
    "Kalibaru",
    "Pejuang",
    "Medan Satria",
    "Bintara",
    "Kranji",
    "Kota Baru",
    "Bintara Jaya",
    "Jakasampurna",
    "Pengasinan",
    "Sepanjang Jaya",
    "Bojong Rawalumbu",
    "Jatimakmur",
    "Jatibening",
    "Jatiwaringin",
    "Jatiasih",
    "Jatiluhur",
    "Jatirasa",
    "Jatimekar",
    "Jatikramat",
)

VENUES = (
    "Kantor Kelurahan {kel}",
    "Balai Warga RW {rw:02d} Kelurahan {kel}",
    "Puskesmas {kel}",
    "Lapangan RW {rw:02d} {kel}",
    "Aula Kantor Kecamatan {kec}",
    "Masjid Jami RW {rw:02d} {kel}",
    "Taman Kota {kel}",
)

OPENINGS = (
    "Ayo ikuti {event}",
    "Jangan lewatkan {event}",
    "Warga Kota Bekasi, ikuti {event}",
    "{Event}",
    "Kabar baik! {Event}",
    "Catat tanggalnya: {event}",
)

CONTACTS = (
    "Bu Sri",
    "Pak Dedi",
    "Bu Ratna",
    "Pak Agus",
    "Bu Yuli",
    "Pak Hendra",
    "Bu Neneng",
    "Pak Rahmat",
    "Bu Wulan",
    "Pak Jajang",
)

AUTHORS = (
    "Seksi Publikasi Diskominfo",
    "Tim Media Sosial Humas",
    "Bidang Humas Setda",
)

REVIEW_NOTES = (
    "jam sudah dicek ke dinas terkait",
    "tunggu konfirmasi lokasi dari camat",
    "foto dari Seksi Dokumentasi",
    "nomor narahubung sudah izin dipublikasikan",
    "teks disetujui Kabag Humas",
)

HARI = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
BULAN = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


@dataclass(frozen=True)
class Destination:
    """A way of writing `to`, and the platforms whose rules its accounts use."""

    to: str | None  # the YAML value as written; None: no `to` (defaults.to)
    twitter: bool
    facebook: bool
    weight: int


DESTINATIONS: tuple[Destination, ...] = (
    Destination(None, True, True, 28),
    Destination("[pemkot-x, pemkot-fb]", True, True, 15),
    Destination("pemkot-fb", False, True, 8),
    Destination("[pemkot-x]", True, False, 5),
    Destination("semua-kecamatan", False, True, 10),
    Destination("[pemkot-fb, semua-kecamatan]", False, True, 7),
    Destination("kec-{kec}", False, True, 8),
    Destination("kesehatan", True, True, 7),
    Destination("[bpbd-x, pemkot-x]", True, False, 5),
    Destination("siaga-bencana", True, True, 3),
    Destination("latihan", True, False, 2),  # sandbox, with X's limits
    Destination("\n  - pemkot-x\n  - pemkot-fb\n  - kec-{kec}", True, True, 2),
)

# Weekly or less often: a repeat more often than weekly is (rightly) warned about.
REPEATS = (
    ("30 6 * * 5", "setiap Jumat pukul 06.30"),
    ("0 7 * * 0", "setiap Minggu pukul 07.00"),
    ("0 16 * * wed", "setiap Rabu pukul 16.00"),
    ("0 8 1 * *", "setiap tanggal 1 pukul 08.00"),
    ("0 9 15 * *", "setiap tanggal 15 pukul 09.00"),
    ("30 19 * * 4", "setiap Kamis pukul 19.30"),
)

_URL_RE = re.compile(r"https?://\S+")
_PLAIN_RE = re.compile(r"[A-Za-z][^:#{}\[\]&*!|>'\"%@`\n]*[^\s:]")
_TWITTER_BUDGET = 250  # a conservative estimate must stay below this (the limit is 280)


def twitter_estimate(text: str) -> int:
    """An over-estimate of X's weighted length: URLs 23 or more, non-Latin chars 2."""
    weight = sum(2 if ord(char) > 0x10FF else 1 for char in text)
    for url in _URL_RE.findall(text):
        weight += max(0, 23 - len(url))
    return weight


def yaml_scalar(value: str) -> str:
    """A string as a YAML scalar: plain where safe, else double-quoted."""
    if _PLAIN_RE.fullmatch(value) and value.lower() not in {"yes", "no", "on", "off", "null"}:
        return value
    return json.dumps(value, ensure_ascii=False)


@dataclass
class Generated:
    """What the generator wrote."""

    files: list[Path] = field(default_factory=list)
    md: int = 0
    yaml: int = 0
    with_media: int = 0
    repeats: int = 0
    drafts: int = 0
    threads: int = 0
    sample: Path | None = None  # one typical post, for the one-file measurement


class PostGenerator:
    """Writes `count` valid posts with distinct texts, deterministically from `seed`."""

    def __init__(self, root: Path, seed: int) -> None:
        self.root = root
        self.rng = random.Random(seed)
        self.seen_texts: set[str] = set()
        self.names: set[Path] = set()
        self.ids: set[str] = set()
        self.result = Generated()
        self.start = date(2027, 1, 4)

    # --- small pieces ---------------------------------------------------------------------

    def when(self) -> datetime:
        day = self.start + timedelta(days=self.rng.randrange(0, 350))
        return datetime(
            day.year, day.month, day.day, self.rng.randint(6, 20), self.rng.choice((0, 15, 30, 45))
        )

    def written_time(self, moment: datetime) -> str:
        roll = self.rng.random()
        if roll < 0.75:
            return f"{moment:%Y-%m-%d %H:%M}"
        if roll < 0.9:
            return f"{moment:%Y-%m-%dT%H:%M:%S}+07:00"
        return f"{moment:%Y-%m-%d %H:%M:%S}"

    def tanggal(self, moment: datetime) -> str:
        return f"{HARI[moment.weekday()]}, {moment.day} {BULAN[moment.month - 1]} {moment.year}"

    def phone(self) -> str:
        return f"0812-{self.rng.randint(1000, 9999)}-{self.rng.randint(1000, 9999)}"

    def venue(self, kel: str) -> str:
        kec = self.rng.choice(KECAMATAN).replace("-", " ").title()
        return self.rng.choice(VENUES).format(kel=kel, kec=kec, rw=self.rng.randint(1, 24))

    # --- texts ----------------------------------------------------------------------------

    def paragraphs(
        self, topic: Topic, event: Event, moment: datetime, kel: str, slug: str, every: str | None
    ) -> list[str]:
        """Three paragraphs: what, where and when; how and whom to ask; the link."""
        rng = self.rng
        venue = self.venue(kel)
        # The event is on the day of the post or up to a week later, in office hours.
        start = datetime.combine(moment.date(), datetime.min.time()) + timedelta(
            days=rng.choice((0, 0, 1, 2, 3, 7)),
            hours=rng.randint(7, 15),
            minutes=rng.choice((0, 30)),
        )
        end = start + timedelta(hours=rng.choice((2, 3, 4)))
        jam = f"{start:%H.%M}-{end:%H.%M} WIB"
        emoji = rng.choice(("", "", "", "\U0001f4e2 ", "\U0001f5d3\ufe0f "))
        if every is not None:
            first = f"{emoji}Pengingat rutin {every}: {event.name} di {venue}, pukul {jam}."
        else:
            opening = rng.choice(OPENINGS).format(
                event=event.name, Event=event.name[0].upper() + event.name[1:]
            )
            first = f"{emoji}{opening} di {venue}, {self.tanggal(start)} pukul {jam}."
        first += f" {rng.choice(event.details)}"
        second = (
            f"{self.rng.choice(event.requirements)} "
            f"Narahubung: {self.rng.choice(CONTACTS)} ({self.phone()})."
        )
        tags = " ".join(["#KotaBekasi", *self.rng.sample(topic.hashtags, k=1)])
        third = f"Info lengkap: https://{topic.domain}/agenda/{slug} {tags}"
        if self.rng.random() < 0.3:
            third = f"Diselenggarakan oleh {topic.office}. {third}"
        return [first, second, third]

    def fresh(self, parts: list[str]) -> bool:
        """Whether none of these texts was used before; if so, remember them."""
        if any(part in self.seen_texts for part in parts):
            return False
        self.seen_texts.update(parts)
        return True

    # --- files ----------------------------------------------------------------------------

    def path_for(self, folder: Path, stem: str, suffix: str) -> Path:
        """A new file name; its stem is new too, since the stem is the post's default id."""
        path = folder / stem
        number = 2
        while path in self.names:
            path = folder / f"{stem}-{number}"
            number += 1
        self.names.add(path)
        return path.with_name(path.name + suffix)

    def media_lines(self, topic: Topic, post_dir: Path, indent: str) -> list[str]:
        count = self.rng.choice((1, 1, 1, 2, 3))
        names = [*topic.media, *self.rng.sample([m[0] for m in MEDIA_FILES], k=3)]
        lines = [f"{indent}media:"]
        for name in list(dict.fromkeys(names))[:count]:
            relative = os.path.relpath(self.root / "media" / name, post_dir)
            alt = self.alt_text(name, topic)
            lines += [f"{indent}  - file: {relative}", f"{indent}    alt: {yaml_scalar(alt)}"]
        return lines

    def alt_text(self, name: str, topic: Topic) -> str:
        kind = {
            "logo": "Logo Pemerintah Kota Bekasi berwarna biru dan kuning",
            "peta": "Peta titik rawan banjir Kota Bekasi, sebagian besar di sepanjang Kali Bekasi",
            "infografis/pbb": "Infografis cara membayar PBB 2027 di bank, kantor pos, atau e-PBB",
            "infografis/jadwal": "Tabel jadwal posyandu per kelurahan bulan ini",
            "poster": "Poster imunisasi anak dengan gambar ibu menggendong balita",
            "kerja": "Foto warga bergotong royong membersihkan sampah di pinggir kali",
            "bazar": "Foto deretan tenda bazar UMKM dengan pengunjung yang berbelanja",
            "hut": "Poster peringatan hari jadi Kota Bekasi dengan latar merah dan emas",
        }
        base = next(text for prefix, text in kind.items() if name.startswith(prefix))
        return f"{base}, untuk kegiatan {topic.office}"

    def header(
        self, topic: Topic, moment: datetime, destination: Destination, repeat: bool
    ) -> list[str]:
        """The common fields, as lines of YAML."""
        lines = []
        if self.rng.random() < 0.15:
            lines.append(f"# {topic.tag}: naskah dari {topic.office}")
        lines.append(f"publish_at: {self.written_time(moment)}")
        if destination.to is not None:
            to = destination.to.format(kec=self.rng.choice(KECAMATAN))
            lines.append(f"to:{to}" if to.startswith("\n") else f"to: {to}")
        if not repeat and self.rng.random() < 0.05:
            expires = moment + timedelta(hours=self.rng.choice((3, 6, 12)))
            lines.append(f"expires_at: {expires:%Y-%m-%d %H:%M}")
        return lines

    def metadata(self, topic: Topic, event: Event, moment: datetime) -> list[str]:
        lines = []
        if self.rng.random() < 0.8:
            extra = self.rng.choice(("", f", {event.slug}", ", agenda-kota"))
            lines.append(f"tags: [{topic.tag}{extra}]")
        if self.rng.random() < 0.2:
            lines.append(f"campaign: {event.slug}-{moment:%Y-%m}")
        if self.rng.random() < 0.5:
            lines.append(f"author: {self.rng.choice((*AUTHORS, topic.office))}")
        if self.rng.random() < 0.1:
            lines.append(f"notes: {yaml_scalar('Konfirmasi ' + self.rng.choice(REVIEW_NOTES))}")
        return lines

    def draft_lines(self) -> list[str]:
        if self.rng.random() < 0.04:
            self.result.drafts += 1
            return ["draft: true     # menunggu persetujuan Kabag Humas"]
        return []

    def generate(self, count: int) -> Generated:
        for index in range(count):
            for _attempt in range(50):
                if self.one(index):
                    break
            else:
                raise RuntimeError(f"could not make a distinct text for post {index}")
        return self.result

    def one(self, index: int) -> bool:
        rng = self.rng
        destination = rng.choices(DESTINATIONS, weights=[d.weight for d in DESTINATIONS])[0]
        topic = rng.choice(TOPICS)
        if destination.to == "kesehatan":
            topic = TOPICS[0]
        elif destination.to in ("siaga-bencana", "[bpbd-x, pemkot-x]"):
            topic = TOPICS[2]
        event = rng.choice(topic.events)
        moment = self.when()
        kel = rng.choice(KELURAHAN)
        slug = f"{event.slug}-{kel.lower().replace(' ', '-')}"
        repeat = rng.random() < 0.05
        cron, every = rng.choice(REPEATS) if repeat else (None, None)
        if repeat:
            folder = self.root / "posts" / "rutin" / topic.tag
        else:
            folder = self.root / "posts" / f"{moment:%Y}" / f"{moment:%m}"
            if rng.random() < 0.5:
                folder /= topic.tag
        markdown = rng.random() < 0.6
        suffix = ".md" if markdown else rng.choice((".yaml", ".yaml", ".yaml", ".yml"))
        path = self.path_for(folder, f"{moment:%d}-{slug}" if not repeat else slug, suffix)
        url_slug = f"{slug}-{moment:%Y%m%d}-{index}"
        paragraphs = self.paragraphs(topic, event, moment, kel, url_slug, every)
        lines = self.header(topic, moment, destination, repeat)
        if repeat:
            lines.append(f'repeat: "{cron}"')
            lines.append(f"until: {moment.year + 1}-06-30 23:59")
        if rng.random() < 0.04:
            post_id = f"kampanye/{moment:%Y}/{url_slug}"
            lines.append(f"id: {post_id}")
        with_media = rng.random() < 0.2
        body = (
            self.markdown(
                lines, topic, event, moment, destination, paragraphs, path.parent, with_media
            )
            if markdown
            else self.yaml(
                lines, topic, event, moment, destination, paragraphs, path.parent, with_media
            )
        )
        if body is None:
            self.names.discard(path.with_suffix(""))
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
        result = self.result
        result.files.append(path)
        result.md += markdown
        result.yaml += not markdown
        result.with_media += with_media
        result.repeats += repeat
        if result.sample is None and markdown and with_media and destination.twitter:
            result.sample = path
        return True

    def chosen_paragraphs(self, paragraphs: list[str], twitter: bool) -> list[str]:
        """1-3 of the paragraphs (always the first and, for 2-3, the link); fewer for X."""
        count = self.rng.choice((1, 1, 1, 1, 2, 3) if twitter else (1, 2, 2, 3, 3, 3))
        return paragraphs[:1] if count == 1 else paragraphs[: count - 1] + paragraphs[-1:]

    def markdown(
        self,
        lines: list[str],
        topic: Topic,
        event: Event,
        moment: datetime,
        destination: Destination,
        paragraphs: list[str],
        post_dir: Path,
        with_media: bool,
    ) -> str | None:
        rng = self.rng
        chosen = self.chosen_paragraphs(paragraphs, destination.twitter)
        whole = "\n\n".join(chosen)
        thread = len(chosen) > 1 and (
            (destination.twitter and twitter_estimate(whole) > _TWITTER_BUDGET)
            or rng.random() < 0.1
        )
        parts = chosen if thread else [whole]
        if destination.twitter and any(twitter_estimate(p) > _TWITTER_BUDGET for p in parts):
            return None
        if not self.fresh(parts):
            return None
        if thread:
            self.result.threads += 1
            if destination.twitter and rng.random() < 0.5:
                parts = [f"{part} ({n}/{len(parts)})" for n, part in enumerate(parts, start=1)]
                self.seen_texts.update(parts)
        shown = [_wrap(part) for part in parts]
        if rng.random() < 0.1:
            note = f"<!-- catatan reviewer: {rng.choice(REVIEW_NOTES)} -->"
            target = rng.randrange(len(shown))
            shown[target] = (
                f"{shown[target]} {note}" if rng.random() < 0.5 else f"{note}\n{shown[target]}"
            )
        front = list(lines)
        if with_media:
            front += self.media_lines(topic, post_dir, "")
        front += self.metadata(topic, event, moment) + self.draft_lines()
        return "---\n" + "\n".join(front) + "\n---\n" + "\n\n---\n".join(shown) + "\n"

    def yaml(
        self,
        lines: list[str],
        topic: Topic,
        event: Event,
        moment: datetime,
        destination: Destination,
        paragraphs: list[str],
        post_dir: Path,
        with_media: bool,
    ) -> str | None:
        rng = self.rng
        out = list(lines)
        roll = rng.random()
        if roll < 0.35 and destination.twitter and destination.facebook:
            # A long text for Facebook and the others, a short thread for X.
            text = "\n\n".join(paragraphs)
            short = [
                f"{paragraphs[0]} (1/2)",
                f"{paragraphs[1].split(' Narahubung')[0]} {paragraphs[2].split(' #')[0]} (2/2)",
            ]
            if any(twitter_estimate(p) > _TWITTER_BUDGET for p in short):
                return None
            if not self.fresh([text, *short]):
                return None
            out.append("text: |")
            out += [f"  {line}" if line else "" for line in _wrap(text).split("\n")]
            out += [
                "twitter:",
                "  thread:",
                *(f"    - {json.dumps(p, ensure_ascii=False)}" for p in short),
            ]
            if destination.facebook and rng.random() < 0.5:
                out += [
                    "facebook:",
                    f"  link: https://{topic.domain}/berita/{event.slug}-{moment:%Y%m%d}",
                ]
            self.result.threads += 1
        elif roll < 0.45:
            # A thread written as a list.
            parts = self.chosen_paragraphs(paragraphs, destination.twitter)
            if len(parts) == 1:
                parts = paragraphs[:2]
            if destination.twitter and any(twitter_estimate(p) > _TWITTER_BUDGET for p in parts):
                return None
            if not self.fresh(parts):
                return None
            out.append("thread:")
            out += [f"  - {json.dumps(p, ensure_ascii=False)}" for p in parts]
            self.result.threads += 1
        else:
            chosen = self.chosen_paragraphs(paragraphs, destination.twitter)
            text = "\n\n".join(chosen)
            if destination.twitter and twitter_estimate(text) > _TWITTER_BUDGET:
                chosen = chosen[:1]
                text = chosen[0]
                if twitter_estimate(text) > _TWITTER_BUDGET:
                    return None
            if not self.fresh([text]):
                return None
            out.append("text: |")
            out += [f"  {line}" if line else "" for line in _wrap(text).split("\n")]
            if destination.facebook and rng.random() < 0.3:
                out += [
                    "facebook:",
                    f"  link: https://{topic.domain}/berita/{event.slug}-{moment:%Y%m%d}",
                ]
        if with_media:
            out += self.media_lines(topic, post_dir, "")
        out += self.metadata(topic, event, moment) + self.draft_lines()
        return "\n".join(out) + "\n"


def _wrap(text: str) -> str:
    """Wrap each paragraph at ~88 columns, as people write in an editor."""
    return "\n\n".join(
        textwrap.fill(paragraph, width=88, break_long_words=False, break_on_hyphens=False)
        for paragraph in text.split("\n\n")
    )


def generate_repository(root: Path, count: int, seed: int) -> Generated:
    """Write config, media and posts into `root` (which must be empty or ours)."""
    if root.exists() and any(root.iterdir()):
        if not (root / MARKER).exists():
            raise SystemExit(f"{root} is not empty and was not made by this script; refusing")
        for name in ("posts", "media", ".humaspost"):
            shutil.rmtree(root / name, ignore_errors=True)
    root.mkdir(parents=True, exist_ok=True)
    (root / MARKER).write_text(f"count={count} seed={seed}\n", encoding="utf-8")
    (root / "humaspost.yaml").write_text(config_text(), encoding="utf-8")
    write_media(root)
    (root / "posts").mkdir()
    (root / "posts" / "_template.md").write_text(
        "---\n# Salin file ini (tanpa garis bawah di depan namanya) untuk membuat post baru.\n"
        "publish_at: 2027-01-01 08:00\nto: [pemkot-x, pemkot-fb]\n---\n"
        "Tulis teks post di sini. Baris '---' sendirian memisahkan bagian utas (thread).\n",
        encoding="utf-8",
    )
    return PostGenerator(root, seed).generate(count)


# ---------------------------------------------------------------------------------------
# Measuring.
# ---------------------------------------------------------------------------------------

# The post files as humaspost lists them (names starting with "_" or "." skipped), for
# the bare scripts below.
_POST_FILES = """\
import os, sys
def post_files(top):
    for folder, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if not d.startswith(("_", "."))]
        for name in files:
            if not name.startswith(("_", ".")) and name.endswith((".md", ".yaml", ".yml")):
                yield os.path.join(folder, name)
count = 0
"""

FLOOR_SCRIPT = (
    _POST_FILES
    + """\
import yaml
for path in post_files(sys.argv[1]):
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    if path.endswith(".md"):
        lines = text.split("\\n")
        end = lines.index("---", 1)
        yaml.load("\\n".join(lines[1:end]), Loader=yaml.CSafeLoader)
        body = "\\n".join(lines[end + 1:])
    else:
        yaml.load(text, Loader=yaml.CSafeLoader)
    count += 1
print(count)
"""
)

# The least any check from its cache can take: humaspost's command-line wiring imported,
# posts/ walked and every post's bytes read (entries are keyed by them), nothing else.
CACHE_FLOOR_SCRIPT = (
    _POST_FILES
    + """\
import humaspost.cli.app
for path in post_files(sys.argv[1]):
    with open(path, "rb") as handle:
        handle.read()
    count += 1
print(count)
"""
)

PROFILE_SCRIPT = """\
import contextlib, cProfile, glob, io, os, pstats, sys
config, top, folder, *extra = sys.argv[1:]
top = int(top)
sys.argv = ["humaspost", "check", "--config", config, *extra]

# Worker processes (concurrent.futures) profile themselves and leave a file each.
import concurrent.futures.process as pool_module
original_worker = pool_module._process_worker

def profiled_worker(*args, **kwargs):
    worker = cProfile.Profile()
    worker.enable()
    try:
        return original_worker(*args, **kwargs)
    finally:
        worker.disable()
        worker.dump_stats(os.path.join(folder, f"worker-{os.getpid()}.prof"))

pool_module._process_worker = profiled_worker
"""
PROFILE_SCRIPT += PROFILE_SHORT
PROFILE_SCRIPT += """\

def table(stats, title, key, only=None):
    rows = []
    for (file, line, name), (cc, nc, tt, ct, callers) in stats.stats.items():
        if only and only not in file:
            continue
        label = f"{short(file)}:{line}({name})" if file != "~" else name
        calls = str(nc) if nc == cc else f"{nc}/{cc}"
        rows.append(((tt if key == "tottime" else ct), calls, tt, ct, label))
    rows.sort(key=lambda row: row[0], reverse=True)
    print(f"--- {title} (total {stats.total_tt:.3f} s) ---")
    print(f"{'ncalls':>12} {'tottime':>8} {'cumtime':>8}  function")
    for _, calls, tt, ct, label in rows[:top]:
        print(f"{calls:>12} {tt:8.3f} {ct:8.3f}  {label}")
    print()

profile = cProfile.Profile()
output = io.StringIO()
profile.enable()
try:
    with contextlib.redirect_stdout(output):
        from humaspost.cli.app import main
        main()
except SystemExit as exit:
    code = exit.code
else:
    code = 0
profile.disable()
print(f"exit code {code}; stdout {len(output.getvalue())} chars")
parent = pstats.Stats(profile)
table(parent, "main process, humaspost functions by cumulative time", "cumtime", "/humaspost/")
table(parent, "main process, all functions by own time", "tottime")
files = sorted(glob.glob(os.path.join(folder, "worker-*.prof")))
if files:
    workers = pstats.Stats(*files)
    print(f"{len(files)} worker processes, their profiles summed:")
    table(workers, "workers, humaspost functions by cumulative time", "cumtime", "/humaspost/")
    table(workers, "workers, all functions by own time", "tottime")
else:
    print("(no worker processes)")
"""


@dataclass
class Measurement:
    """Wall times of one command, repeated."""

    label: str
    command: list[str]
    runs: list[float] = field(default_factory=list)
    failed: bool = False
    # Run before each run, untimed (e.g. removing the cache, or editing a post).
    prepare: Callable[[], None] | None = None

    @property
    def best(self) -> float:
        return best_of(self.runs)

    @property
    def median(self) -> float:
        return median_of(self.runs)


Validator = Callable[[subprocess.CompletedProcess[str]], str | None]


def measure(
    measurement: Measurement, cwd: Path, repeat: int, validate: Validator | None = None
) -> Measurement:
    """One untimed warm-up run (page cache, .pyc), then `repeat` timed runs."""
    print(f"  {measurement.label} ...", end="", flush=True)
    for attempt in range(repeat + 1):
        if measurement.prepare is not None:
            measurement.prepare()
        elapsed, done = run(measurement.command, cwd, no_color=False)
        problem = validate(done) if validate else None
        if done.returncode != 0 or problem:
            if not measurement.failed:
                print(f"\n  FAILED: {' '.join(measurement.command)} (exit {done.returncode})")
                if problem:
                    print(textwrap.indent(problem, "    "))
                print(textwrap.indent(tail(done.stdout, 60, strip=False), "    stdout| "))
                print(textwrap.indent(tail(done.stderr, 60, strip=False), "    stderr| "))
            measurement.failed = True
        if attempt:
            measurement.runs.append(elapsed)
    print(f" best {measurement.best:.3f} s")
    return measurement


def expect_count(count: int) -> Validator:
    def validate(done: subprocess.CompletedProcess[str]) -> str | None:
        found = done.stdout.strip()
        return None if found == str(count) else f"the floor read {found!r} files, not {count}"

    return validate


def expect_text(files: int) -> Validator:
    def validate(done: subprocess.CompletedProcess[str]) -> str | None:
        noun = "file, 1 post" if files == 1 else f"files, {files} posts"
        wanted = f"{files} {noun}: no problems"
        return None if wanted in done.stdout else f"expected '{wanted}' in the output"

    return validate


def expect_json(files: int) -> Validator:
    def validate(done: subprocess.CompletedProcess[str]) -> str | None:
        try:
            report = json.loads(done.stdout)
        except ValueError as exc:
            return f"stdout is not JSON: {exc}"
        summary = {key: report.get(key) for key in ("files", "posts", "errors", "warnings")}
        if summary == {"files": files, "posts": files, "errors": 0, "warnings": 0}:
            return None
        shown = [
            f"{p['file']}:{p['line']}:{p['column']} {p['code']} {p['message']}"
            for p in report["problems"][:40]
        ]
        return f"summary {summary}; problems:\n" + "\n".join(shown)

    return validate


def profile_check(python: str, config: Path, cwd: Path, top: int, extra: list[str]) -> None:
    """Run `check` under cProfile (worker processes too) and print the hot spots."""
    shown = " ".join(["humaspost check", *extra])
    print(f"\ncProfile of `{shown}` (imports included; times inflated by profiling):\n")
    folder = tempfile.mkdtemp(prefix="humaspost-profile-")
    try:
        done = subprocess.run(
            [python, "-c", PROFILE_SCRIPT, str(config), str(top), folder, *extra],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(done.stdout, flush=True)
    if done.returncode != 0 or done.stderr:
        print(done.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=10_000, help="post files (default 10000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each (default 3)")
    parser.add_argument("--seed", type=int, default=2027, help="random seed (default 2027)")
    parser.add_argument("--dir", type=Path, help="generate here instead of a temp folder")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    parser.add_argument("--profile", action="store_true", help="always profile check")
    parser.add_argument("--no-profile", action="store_true", help="never profile check")
    parser.add_argument("--top", type=int, default=25, help="profile lines (default 25)")
    parser.add_argument(
        "--profile-args",
        default="",
        help="extra check arguments when profiling, e.g. '--format json'",
    )
    args = parser.parse_args(argv)
    if args.count < 1 or args.repeat < 1:
        parser.error("--count and --repeat must be at least 1")

    python = sys.executable
    humaspost = installed_humaspost(parser)
    temporary = args.dir is None
    root = Path(tempfile.mkdtemp(prefix="humaspost-bench-")) if temporary else args.dir.resolve()
    try:
        return _run(args, python, humaspost, root)
    finally:
        if temporary and not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(f"(the generated repository is in {root})")


def _run(args: argparse.Namespace, python: str, humaspost: str, root: Path) -> int:
    print(f"Python {sys.version.split()[0]} at {python}")
    print(f"CPU: {cpu_summary()}")
    print(f"Generating {args.count} posts in {root} (seed {args.seed}) ...", flush=True)
    started = time.perf_counter()
    made = generate_repository(root, args.count, args.seed)
    print(
        f"  {len(made.files)} files in {time.perf_counter() - started:.1f} s: "
        f"{made.md} .md, {made.yaml} .yaml/.yml, {made.threads} threads, "
        f"{made.with_media} with media, {made.repeats} repeating, {made.drafts} drafts"
    )
    assert made.sample is not None
    config = root / "humaspost.yaml"
    sample = made.sample.relative_to(root)
    count = len(made.files)

    print(f"Measuring ({args.repeat} timed runs after one warm-up each):", flush=True)
    check = [humaspost, "check", "--config", str(config)]
    cold = [*check, "--no-cache"]
    cache_file = root / ".humaspost" / "check-cache.sqlite"
    edited = made.files[len(made.files) // 2]
    original = edited.read_bytes()

    def no_cache() -> None:
        cache_file.unlink(missing_ok=True)

    def edit_one() -> None:
        # A change a user makes: one more line, or back as it was (bytes change each run).
        data = edited.read_bytes()
        edited.write_bytes(original if data != original else original + b"\n")

    rows = [
        measure(Measurement("python start-up", [python, "-c", "pass"]), root, args.repeat),
        measure(
            Measurement("import humaspost.cli.app", [python, "-c", "import humaspost.cli.app"]),
            root,
            args.repeat,
        ),
        measure(
            Measurement("floor: walk + read + CSafeLoader", [python, "-c", FLOOR_SCRIPT, "posts"]),
            root,
            args.repeat,
            expect_count(count),
        ),
        measure(
            Measurement("check --no-cache (cold)", cold), root, args.repeat, expect_text(count)
        ),
        measure(
            Measurement("check, filling a new cache", check, prepare=no_cache),
            root,
            args.repeat,
            expect_text(count),
        ),
        measure(Measurement("check from the cache", check), root, args.repeat, expect_text(count)),
        measure(
            Measurement("check, cache, one post edited", check, prepare=edit_one),
            root,
            args.repeat,
            expect_text(count),
        ),
        measure(
            Measurement("check --no-cache --format json", [*cold, "--format", "json"]),
            root,
            args.repeat,
            expect_json(count),
        ),
        measure(
            Measurement("check ONE_FILE --no-cache", [*cold, str(sample)]),
            root,
            args.repeat,
            expect_text(1),
        ),
        measure(
            Measurement("check ONE_FILE from the cache", [*check, str(sample)]),
            root,
            args.repeat,
            expect_text(1),
        ),
        measure(
            Measurement(
                "cache's least: import + walk + read",
                [python, "-c", CACHE_FLOOR_SCRIPT, "posts"],
            ),
            root,
            args.repeat,
            expect_count(count),
        ),
    ]
    edited.write_bytes(original)
    floor, full, warm = rows[2], rows[3], rows[5]
    one = min(rows[8:10], key=lambda row: row.best)
    compared = {id(row) for row in [*rows[3:8], rows[10]]}

    print(f"\nResults: {count} post files, {cpu_summary()}; one file = {sample}\n")
    width = max(len(r.label) for r in rows)
    print(f"  {'measurement':<{width}}  {'best':>8}  {'median':>8}  {'vs floor':>8}")
    print(f"  {'-' * width}  {'-' * 8}  {'-' * 8}  {'-' * 8}")
    for row in rows:
        ratio = f"{row.best / floor.best:.2f}x" if id(row) in compared else ""
        flag = "  FAILED" if row.failed else ""
        print(f"  {row.label:<{width}}  {row.best:>7.3f}s  {row.median:>7.3f}s  {ratio:>8}{flag}")

    ratio_best = full.best / floor.best
    ratio_median = full.median / floor.median
    warm_ratio = warm.best / floor.best
    ratio_ok = ratio_best <= TARGET_RATIO
    warm_ok = warm_ratio <= TARGET_WARM_RATIO
    one_ok = one.best < TARGET_ONE_FILE
    print("\nTargets:")
    print(
        f"  cold check / floor        best {ratio_best:.2f}x, median {ratio_median:.2f}x"
        f"   target <= {TARGET_RATIO}x   {'OK' if ratio_ok else 'MISSED'}"
    )
    print(
        f"  check from cache / floor  best {warm_ratio:.2f}x, median "
        f"{warm.median / floor.median:.2f}x   target <= {TARGET_WARM_RATIO}x   "
        f"{'OK' if warm_ok else 'MISSED'}"
    )
    print(
        f"  check on one file         best {one.best:.3f} s ({one.label}), median "
        f"{one.median:.3f} s   target < {TARGET_ONE_FILE} s   {'OK' if one_ok else 'MISSED'}"
    )
    failed = any(row.failed for row in rows)
    if failed:
        print("\nSome commands FAILED (see above): the generated posts are meant to be valid.")
    if args.profile or (not ratio_ok and not args.no_profile):
        profile_check(python, config, root, args.top, ["--no-cache", *args.profile_args.split()])
    if failed:
        return 2
    return 0 if ratio_ok and warm_ok and one_ok else 1


if __name__ == "__main__":
    sys.exit(main())
