"""The HTML report: self-contained, with KPIs, figures, parameters with sources, seeds and version."""

from __future__ import annotations

import re
import warnings
from html.parser import HTMLParser

import pytest

import sim
from sim.cli import main
from sim.plots.io import load_run
from sim.report import build_report
from sim.report.params import parameter_rows
from tests import test_plots_data as data


class _Tags(HTMLParser):
    """Counts opened and closed tags and collects external references."""

    VOID = {"meta", "img", "br", "hr", "link", "input"}

    def __init__(self):
        super().__init__()
        self.open: list[str] = []
        self.refs: list[str] = []
        self.images = 0

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.open.append(tag)
        self.images += tag == "img"
        self.refs += [v for k, v in attrs if k in ("src", "href") and v and not v.startswith("data:")]

    def handle_endtag(self, tag):
        assert self.open and self.open.pop() == tag, f"unbalanced </{tag}>"


def parse(text: str) -> _Tags:
    tags = _Tags()
    tags.feed(text)
    assert tags.open == [] and tags.refs == []
    return tags


def strict_report(source) -> str:
    """The report's HTML, built with every warning an error (figures at low resolution: quicker, same checks)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return build_report(source, dpi=40)


def test_run_report_is_self_contained(tmp_path, capsys):
    out = tmp_path / "r" / "report.html"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert main(["report", str(data.run_folder()), "--out", str(out), "--dpi", "40"]) == 0
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]          # written atomically, no leftovers
    text = out.read_text(encoding="utf-8")
    assert not re.search(r"https?://", text)
    assert parse(text).images == 10     # figures as data: PNG (flows, map, beds, budget x2, equity x2, providers...)
    run = load_run(data.run_folder())
    assert f"countysim {sim.__version__}" in text and str(run.summary["seed"]) in text
    assert "县域内住院率" in text and "year 0" in text and "year 2" in text
    assert "choice.travel_per_hour" in text and "budget.enabled" in text       # parameters with unit and source
    assert "Figures that do not apply" in text and "Global budget" in text
    assert main(["report", str(tmp_path / "missing")]) == 2
    assert "no such run" in capsys.readouterr().err


def test_comparison_report_shows_effects_and_differing_parameters():
    text = strict_report(data.comparison_folder())
    assert parse(text).images == 14   # effects, time series, base groups, providers; 5 per arm (flows, map, ...)
    assert "Reform effects" in text and "95% interval" in text
    assert "Parameters that differ between arms" in text and "payment.base_groups.enabled" in text
    assert "drg_base_groups" in text and "paired over 2 common seeds" in text


def test_sweep_report():
    text = strict_report(data.sweep_folder())
    assert parse(text).images == 4             # heatmap, tornado; time series and base groups of its 5 points
    assert "swept parameter" in text and "insurance.unreferred_outcounty_penalty_pp" in text
    assert "KPIs over the sweep" in text


def test_parameter_rows_document_every_value():
    run = load_run(data.comparison_folder() / "runs" / sorted(p.name for p in
                                                              (data.comparison_folder() / "runs").iterdir())[-1])
    rows = {r.path: r for r in parameter_rows(run.config)}
    assert rows["population"].value == 4000 and rows["population"].changed
    travel = rows["choice.travel_per_hour"]
    assert travel.unit and travel.description and travel.value == travel.reference
    assert all(r.value is not None or r.reference is None for r in rows.values())


@pytest.mark.parametrize("bad", ["<script>", "a & b"])
def test_text_is_escaped(bad):
    from sim.report.html import table

    assert bad not in table(["x"], [[bad]])
