"""The look shared by humaspost's pages (humaspost/html_look.py): a page that loads
nothing, escapes what it is given, and colours every delivery state the same way."""

from __future__ import annotations

import re

from humaspost.html_look import STATE_COLOURS, escape, page, state_badge, state_legend, table
from humaspost.lifecycle import State


def test_a_page_loads_nothing_and_escapes_its_title() -> None:
    shown = page('<Laporan> & "bulan"', "id", "<main>isi</main>\n", css=".x{color:red}")
    assert shown.startswith('<!DOCTYPE html>\n<html lang="id">\n')
    assert (
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "img-src data:; style-src 'unsafe-inline'\">" in shown
    )
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in shown
    assert "<title>&lt;Laporan&gt; &amp; &quot;bulan&quot;</title>" in shown
    assert "<style>.x{color:red}</style>" in shown and "<main>isi</main>" in shown
    for loads in ("<script", "<link", "@import", "@font-face", "url("):
        assert loads not in shown
    # Printed on A4, and laid out for a phone.
    assert "@page{size:A4;" in shown and "@media print{" in shown
    assert "@media (max-width:640px){" in shown


def test_every_state_has_its_colour_and_name() -> None:
    assert set(STATE_COLOURS) == set(State)
    css = page("t", "en", "")
    for state, colour in STATE_COLOURS.items():
        assert f".state-{state.value}{{--state:{colour.solid};--state-tint:{colour.tint}}}" in css
    # The problems are told apart from what went well at a glance.
    solids = {STATE_COLOURS[s].solid for s in (State.SENT, State.FAILED, State.MISSED)}
    assert len(solids) == 3
    assert state_badge(State.MISSED) == '<span class="state-badge state-missed">missed</span>'
    legend = state_legend([State.SENT, State.FAILED])
    assert legend.count("<li ") == 2 and 'class="state-failed"' in legend


def test_a_table_escapes_its_cells_and_aligns_numbers() -> None:
    shown = table(["akun", "terkirim"], [["<b>pemkot</b>", 12]], numeric=[1])
    assert '<td>&lt;b&gt;pemkot&lt;/b&gt;</td><td class="num">12</td>' in shown
    assert '<th class="num">terkirim</th>' in shown
    assert shown.startswith('<div class="table-wrap"><table>')
    assert table(["a"], [], empty="tidak ada") == '<p class="empty">tidak ada</p>\n'
    assert escape("a\udcff") == "a\ufffd"
    assert not re.search(r"<script", shown)
