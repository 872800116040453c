"""One table of the report, independent of the output format, and its Markdown / LaTeX / HTML forms."""

from __future__ import annotations

import html
from dataclasses import dataclass, field


@dataclass
class ReportTable:
    """A table as text cells: ``header`` is the column labels, ``rows`` the body (first cell = row label),
    ``notes`` the lines printed under it (estimator, SE type, suppression footnotes)."""

    key: str                      # "table1" ... "table10": file stem
    title: str
    header: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)
    # indices of rows after which a rule is drawn (panel breaks)
    rules_after: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.header):
                raise ValueError(f"{self.key}: row {row[:1]} has {len(row)} cells, header {len(self.header)}")


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|")


def to_markdown(table: ReportTable) -> str:
    lines = [f"### {table.title}", "", "| " + " | ".join(_md_cell(h) for h in table.header) + " |",
             "|" + "|".join([":---"] + ["---:"] * (len(table.header) - 1)) + "|"]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in table.rows]
    if table.notes:
        lines.append("")
        lines += [f"*{_md_cell(n)}*  " for n in table.notes]
    return "\n".join(lines) + "\n"


_LATEX_ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                  "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def latex_escape(text: str) -> str:
    return "".join(_LATEX_ESCAPES.get(ch, ch) for ch in str(text))


def to_latex(table: ReportTable) -> str:
    """A booktabs table (needs \\usepackage{booktabs}); stars become superscripts."""
    def cell(text: str) -> str:
        s = str(text)
        stripped = s.rstrip("*")
        n = len(s) - len(stripped)
        out = latex_escape(stripped)
        return out + (f"$^{{{'*' * n}}}$" if n else "")

    spec = "l" + "r" * (len(table.header) - 1)
    out = [r"\begin{table}[htbp]", r"\centering", rf"\caption{{{latex_escape(table.title)}}}",
           rf"\label{{tab:{table.key}}}", rf"\begin{{tabular}}{{{spec}}}", r"\toprule",
           " & ".join(cell(h) for h in table.header) + r" \\", r"\midrule"]
    for i, row in enumerate(table.rows):
        out.append(" & ".join(cell(c) for c in row) + r" \\")
        if i in table.rules_after and i != len(table.rows) - 1:
            out.append(r"\midrule")
    out += [r"\bottomrule", r"\end{tabular}"]
    if table.notes:
        out.append(r"\par\smallskip\begin{minipage}{0.95\linewidth}\footnotesize")
        out += [latex_escape(n) + r"\par" for n in table.notes]
        out.append(r"\end{minipage}")
    out.append(r"\end{table}")
    return "\n".join(out) + "\n"


def to_html(table: ReportTable) -> str:
    esc = html.escape
    parts = [f'<section class="table" id="{esc(table.key)}">', f"<h3>{esc(table.title)}</h3>", "<table>",
             "<thead><tr>" + "".join(f"<th>{esc(str(h))}</th>" for h in table.header) + "</tr></thead>",
             "<tbody>"]
    for i, row in enumerate(table.rows):
        cls = ' class="rule"' if i in table.rules_after else ""
        parts.append(f"<tr{cls}>" + "".join(f"<td>{esc(str(c))}</td>" for c in row) + "</tr>")
    parts += ["</tbody>", "</table>"]
    parts += [f'<p class="note">{esc(n)}</p>' for n in table.notes]
    parts.append("</section>")
    return "\n".join(parts)
