"""Writers for the analysis: Markdown, LaTeX (booktabs), tidy CSV, one self-contained HTML report, and
disclosure control of the descriptive cells."""

from .tables import ReportTable  # noqa: F401
