"""The report writers and the report itself: every table as Markdown and LaTeX (booktabs), tidy CSVs,
and one self-contained HTML page with all ten tables and both figures (checked by parsing it)."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from cluster_finance.analysis.run import analyse_frames
from cluster_finance.report.tables import ReportTable, latex_escape, to_html, to_latex, to_markdown
from test_analysis import fake_marts

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def small_table():
    return ReportTable("table9", "Table 9. Export & 5% test", ["", "(1)"],
                       [["Proximity_asset", "0.215***"], ["", "(0.032)"], ["A|B", "c"]], ["Note_1 & 50%"],
                       rules_after=[1])


def test_markdown_writer():
    md = to_markdown(small_table())
    assert "| Proximity_asset | 0.215*** |" in md
    assert "A\\|B" in md and md.count("\n|") == 5


def test_latex_writer_booktabs_and_escapes():
    tex = to_latex(small_table())
    for cmd in (r"\toprule", r"\midrule", r"\bottomrule", r"\begin{tabular}{lr}"):
        assert cmd in tex
    assert r"0.215$^{***}$" in tex
    assert r"Export \& 5\% test" in tex and r"Note\_1 \& 50\%" in tex
    assert latex_escape("a_b{c}") == r"a\_b\{c\}"


def test_html_writer_escapes():
    h = to_html(ReportTable("t", "<x>", ["a", "b"], [["<script>", "1"]]))
    assert "<script>" not in h and "&lt;script&gt;" in h


def test_row_width_checked():
    with pytest.raises(ValueError):
        ReportTable("t", "t", ["a", "b"], [["only one"]])


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sections, self.imgs, self.external, self.tables, self.banner = [], [], [], 0, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and a.get("class") == "table":
            self.sections.append(a["id"])
        if tag == "table":
            self.tables += 1
        if tag == "img":
            self.imgs.append(a.get("src", ""))
        if tag in ("link", "script") or (tag == "img" and not a.get("src", "").startswith("data:")):
            self.external.append(tag)
        if a.get("id") == "data-source":
            self.banner = a


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = analyse_frames(fake_marts(3), tmp_path_factory.mktemp("rep"), synthetic=True, progress=False,
                         min_cell_firms=3)
    return out


def test_html_report_holds_all_tables_and_figures(report):
    text = report["report"].read_text(encoding="utf-8")
    p = _Collector()
    p.feed(text)
    assert p.sections == [f"table{i}" for i in range(1, 11)]
    assert p.tables == 10 + ('id="planted"' in text)   # the paper's ten, plus the planted-effect check
    assert len(p.imgs) == 2 and not p.external
    for src in p.imgs:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == PNG_MAGIC
    assert p.banner["data-synthetic"] == "true" and "SYNTHETIC" in text


def test_files_for_every_table(report):
    for i in range(1, 11):
        files = report["tables"][f"table{i}"]
        tex = files["latex"].read_text()
        assert r"\toprule" in tex and r"\bottomrule" in tex
        assert files["markdown"].read_text().startswith(f"### Table {i}.")
        assert len(pd.read_csv(files["csv"])) > 0
    for fig in report["figures"]:
        assert fig.read_bytes()[:8] == PNG_MAGIC


def test_tidy_coefficients(report):
    c = pd.read_csv(report["coefficients"])
    assert {"table", "column", "dependent", "variable", "coef", "se", "se_type", "n_obs", "r_squared"} <= set(c.columns)
    assert sorted(c["table"].unique()) == [6, 7, 8, 9, 10]
    assert c.groupby("table")["column"].nunique().to_dict() == {6: 4, 7: 6, 8: 6, 9: 6, 10: 6}
    for t in (7, 9, 10):
        assert set(c.loc[c.table == t, "se_type"]) == {"hetero", "cluster"}
    assert set(c.loc[c.table.isin([6, 8]), "se_type"]) == {"HC1"}
    # what is printed is what is in the CSV: Table 9 column 1's proximity coefficient and robust SE
    row = c.loc[(c.table == 9) & (c.column == 1) & (c.variable == "proximity_asset") & (c.se_type == "hetero")].iloc[0]
    md = report["tables"]["table9"]["markdown"].read_text()
    assert re.search(rf"\| Proximity_asset \| {row.coef:.3f}\** \|", md)
    assert f"({row.se:.3f})" in md


def test_report_states_when_data_are_real(tmp_path):
    out = analyse_frames(fake_marts(4), tmp_path, synthetic=False, progress=False, min_cell_firms=3)
    text = out["report"].read_text()
    assert 'data-synthetic="false"' in text and "not synthetic" in text


def test_synthetic_report_compares_planted_effects(report):
    from cluster_finance.analysis.planted import paper_regressions
    assert paper_regressions() is not None   # shipped with the generator (generate/paper_targets)
    text = report["report"].read_text()
    assert 'id="planted"' in text and "planted coefficients lie inside" in text
    assert report["planted"]["markdown"].exists()
