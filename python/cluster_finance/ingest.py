"""Landing: read the input files of the contract (SPEC section 2) into Arrow tables, nothing dropped.

The dbt Python models under models/staging/landing/ call `land_census_firms` and `land_reference`.
Everything here is about *files*: finding them, decoding them (Parquet, CSV in UTF-8 or GBK, Stata .dta),
checking that their columns are there, and numbering their rows. Values stay as written (text from a CSV,
numbers from Parquet or Stata); the staging models cast them and the intermediate models decide what is
rejected, so that every row of every file is accounted for (raw rows = accepted + rejected).

A file that cannot be used as a whole (unreadable, empty, a required column missing, the wrong year)
raises `InputFileError`, whose message is one sentence naming the file and the problem.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

SUPPORTED_EXTENSIONS = (".parquet", ".csv", ".dta")
# Text that means "no value" in a CSV cell. NaN and infinity are *not* here: in a number they are an error.
CSV_NULL_VALUES = ["", "NA", "N/A", "NULL", "null", "."]


class InputFileError(Exception):
    """A whole input file cannot be used; the message names the file and the problem."""

    def __init__(self, path: Path | str, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"Input error in {Path(path).name}: {problem}")


@dataclass(frozen=True)
class TableContract:
    """The columns of one input table. Codes get zero-padded when a file stores them as numbers."""

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    code_widths: dict[str, int] = field(default_factory=dict)
    table_required: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional

    @property
    def numbers(self) -> frozenset[str]:
        """Columns that hold numbers (everything but codes, ids and names)."""
        return frozenset(self.columns) - TEXT_COLUMNS - set(self.code_widths)


# Columns that are text whatever the file stores them as.
TEXT_COLUMNS = frozenset({"firm_id", "firm_name", "country", "vintage", "county_name", "prefecture_name",
                          "province_name"})

CENSUS_FIRMS = TableContract(
    name="firms",
    required=("firm_id", "county_code", "industry_code", "output", "employment", "total_assets"),
    optional=(
        "firm_name", "founding_year", "sales", "export_value", "value_added", "value_added_income",
        "fixed_assets", "total_debt", "accounts_receivable", "accounts_payable",
        "state_share", "collective_share", "private_share", "hmt_share", "foreign_share",
    ),
    code_widths={"county_code": 6, "industry_code": 4},
)

REFERENCE_TABLES: dict[str, TableContract] = {
    t.name: t
    for t in (
        TableContract("world_trade", ("country", "product", "value"), ("year",), {"product": 4}, True),
        TableContract("industry_concordance", ("code_1994", "code_2002"), (), {"code_1994": 4, "code_2002": 4}),
        TableContract("industry_isic", ("vintage", "industry_code", "isic_code"), (), {"industry_code": 4, "isic_code": 4}),
        TableContract("isic_sitc", ("isic_code", "sitc_code"), (), {"isic_code": 4, "sitc_code": 4}, True),
        TableContract("county_crosswalk", ("code_from", "year_from", "code_to", "year_to"), (), {"code_from": 6, "code_to": 6}),
        TableContract("regions", ("county_code", "year"), ("county_name", "prefecture_name", "province_name"), {"county_code": 6}),
        TableContract("yearbook_totals", ("year", "gross_output_trillion_rmb"), ()),
    )
}

# The CIC standard in force in each year, used when var industry_vintage_by_year does not list a year.
VINTAGE_IN_FORCE = (("1994", 1995, 2002), ("2002", 2003, 2011))

CENSUS_FILE = re.compile(r"^firms_(?P<year>\d{4})\.(?P<ext>parquet|csv|dta)$", re.IGNORECASE)


# --------------------------------------------------------------------------------------------- files


def find_census_files(raw_dir: str | Path) -> dict[int, Path]:
    """Census files by year: `firms_<year>.<ext>` in raw_dir."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise InputFileError(raw_dir, "the raw_dir folder does not exist (set var raw_dir)")
    found: dict[int, Path] = {}
    for path in sorted(raw_dir.iterdir()):
        if not path.name.lower().startswith("firms_") or path.is_dir():
            continue
        match = CENSUS_FILE.match(path.name)
        if not match:
            raise InputFileError(
                path, "cannot tell the census year or format from the name; expected firms_<year>.parquet|csv|dta"
            )
        year = int(match["year"])
        if year in found:
            raise InputFileError(path, f"a second census file for {year} (also {found[year].name}); keep one")
        found[year] = path
    if not found:
        raise InputFileError(raw_dir, "raw_dir holds no census file named firms_<year>.parquet|csv|dta")
    return found


def find_reference_file(reference_dir: str | Path, table: str) -> Path | None:
    candidates = [Path(reference_dir) / f"{table}{ext}" for ext in SUPPORTED_EXTENSIONS]
    present = [p for p in candidates if p.is_file()]
    if len(present) > 1:
        raise InputFileError(present[1], f"two files for reference table {table} ({present[0].name} too); keep one")
    return present[0] if present else None


def has_census(raw_dir: str | Path) -> bool:
    raw_dir = Path(raw_dir)
    return raw_dir.is_dir() and any(CENSUS_FILE.match(p.name) for p in raw_dir.iterdir())


# ------------------------------------------------------------------------------------------ readers


def _check_utf8(path: Path) -> int | None:
    """Offset of the first byte that is not valid UTF-8, or None when the whole file decodes."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 24):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as err:
                return offset + err.start
            offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as err:
        return offset + err.start
    return None


def _csv_encoding(path: Path, declared: str) -> str:
    declared = (declared or "auto").lower().replace("_", "-")
    if declared in ("gbk", "gb2312", "gb18030", "cp936"):
        return "gb18030"  # a superset of GBK and GB2312: every GBK file decodes the same way
    bad_at = _check_utf8(path)
    if declared in ("utf-8", "utf8"):
        if bad_at is not None:
            raise InputFileError(
                path,
                f"the file is not valid UTF-8 (byte {bad_at}) although var csv_encoding says utf-8; "
                "Chinese statistical files are often GBK: set csv_encoding to gbk or auto",
            )
        return "utf-8-sig"
    if declared != "auto":
        raise InputFileError(path, f"var csv_encoding is {declared!r}; use auto, utf-8 or gbk")
    return "utf-8-sig" if bad_at is None else "gb18030"


def _read_csv(path: Path, encoding: str) -> pa.Table:
    import pyarrow.csv as pacsv

    enc = _csv_encoding(path, encoding)
    with open(path, encoding=enc, newline="") as handle:
        try:
            header = next(csv.reader([handle.readline()]), [])
        except UnicodeDecodeError as err:
            raise InputFileError(path, f"the file cannot be decoded as {enc}: {err.reason}") from None
    names = [h.strip().lower() for h in header]
    if not names or names == [""]:
        raise InputFileError(path, "the file is empty (no header row)")
    if len(set(names)) != len(names):
        raise InputFileError(path, "the header names a column twice")
    try:
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(encoding=enc, column_names=names, skip_rows=1),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                null_values=CSV_NULL_VALUES,
                strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as err:
        first_line = str(err).strip().splitlines()[0]
        raise InputFileError(path, f"the CSV cannot be parsed ({first_line})") from None


def _read_parquet(path: Path) -> pa.Table:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as err:
        raise InputFileError(path, f"the Parquet file cannot be read ({str(err).splitlines()[0]})") from None
    return table.rename_columns([c.strip().lower() for c in table.column_names])


def _read_stata(path: Path) -> pa.Table:
    import pandas as pd

    try:
        frame = pd.read_stata(path, convert_categoricals=False, convert_dates=False)
    except Exception as err:  # pandas raises several types for a damaged .dta
        raise InputFileError(path, f"the Stata file cannot be read ({str(err).splitlines()[0]})") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    # Stata has no NaN: a missing number is ".", which pandas turns into NaN. Keep it missing.
    table = pa.Table.from_pandas(frame, preserve_index=False)
    columns = []
    for column in table.columns:
        if pa.types.is_floating(column.type):
            column = pc.if_else(pc.is_nan(column), pa.scalar(None, column.type), column)
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def read_any(path: Path, encoding: str = "auto") -> pa.Table:
    if path.stat().st_size == 0:
        raise InputFileError(path, "the file is empty (0 bytes)")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, encoding)
    if suffix == ".parquet":
        return _read_parquet(path)
    if suffix == ".dta":
        return _read_stata(path)
    raise InputFileError(path, f"unsupported format {suffix}; use .parquet, .csv or .dta")


def _as_landed(column: pa.ChunkedArray, name: str, contract: TableContract) -> pa.ChunkedArray:
    """A column as it lands: codes and ids as text (a code stored as a number gets its leading zeros
    back); numbers stored as numbers as DOUBLE (casting them to text and back would cost the full census
    twice for nothing); anything written as text stays text, for staging to parse and judge."""
    kind = column.type
    width = contract.code_widths.get(name)
    if width and (pa.types.is_integer(kind) or pa.types.is_floating(kind)):
        as_int = pc.cast(column, pa.int64(), safe=False)
        integral = pc.equal(pc.cast(as_int, kind), column) if pa.types.is_floating(kind) else None
        text = pc.utf8_lpad(pc.cast(as_int, pa.string()), width, "0")
        # A non-integral "code" stays as written, so that it is rejected as a code of the wrong shape.
        return text if integral is None else pc.if_else(integral, text, pc.cast(column, pa.string()))
    if name in contract.numbers and (pa.types.is_integer(kind) or pa.types.is_floating(kind)):
        return pc.cast(column, pa.float64())
    if pa.types.is_string(kind):
        return column
    return pc.cast(column, pa.string())


def conform(table: pa.Table, path: Path, contract: TableContract) -> pa.Table:
    """Keep the contract's columns in contract order; a missing optional column is all NULL."""
    present = set(table.column_names)
    missing = [c for c in contract.required if c not in present]
    if missing:
        raise InputFileError(path, f"required column {missing[0]!r} is missing" + (
            f" (also {', '.join(missing[1:])})" if len(missing) > 1 else ""))
    if table.num_rows == 0:
        raise InputFileError(path, "the file has a header but no data rows")
    arrays = []
    for name in contract.columns:
        if name in present:
            arrays.append(_as_landed(table.column(name), name, contract))
        else:
            arrays.append(pa.nulls(table.num_rows, pa.float64() if name in contract.numbers else pa.string()))
    return pa.table(arrays, names=list(contract.columns))


def _unify(tables: list[pa.Table]) -> list[pa.Table]:
    """Files of different formats may land a column as DOUBLE in one and text in another: use text."""
    out = tables
    for name in tables[0].column_names:
        if len({t.schema.field(name).type for t in tables}) > 1:
            out = [t.set_column(t.column_names.index(name), name, pc.cast(t.column(name), pa.string()))
                   for t in out]
    return out


def _with_provenance(table: pa.Table, path: Path, extra: dict[str, pa.Array] | None = None,
                     label: str | None = None) -> pa.Table:
    n = table.num_rows
    front = {
        "source_file": pa.repeat(pa.scalar(label or path.name, pa.string()), n),
        "source_row": pa.array(range(1, n + 1), pa.int64()),
    }
    front.update(extra or {})
    for i, (name, values) in enumerate(front.items()):
        table = table.add_column(i, name, values)
    return table


# -------------------------------------------------------------------------------------- the models


def vintage_for_year(year: int, vintage_by_year: dict | None, path: Path) -> str:
    mapping = {int(k): str(v) for k, v in (vintage_by_year or {}).items()}
    if year in mapping:
        return mapping[year]
    for vintage, first, last in VINTAGE_IN_FORCE:
        if first <= year <= last:
            return vintage
    raise InputFileError(
        path, f"census year {year} has no industry-code vintage; add it to var industry_vintage_by_year"
    )


def land_census_firms(raw_dir: str | Path, encoding: str = "auto", vintage_by_year: dict | None = None) -> pa.Table:
    """All census files, one row per raw row, text columns, with source_file, source_row, census_year."""
    tables = []
    for year, path in find_census_files(raw_dir).items():
        raw = read_any(path, encoding)
        if "year" in raw.column_names:
            years = pc.unique(pc.drop_null(raw.column("year"))).to_pylist()
            wrong = [y for y in years if str(y).strip() not in (str(year), f"{year}.0")]
            if wrong:
                raise InputFileError(path, f"its year column holds {wrong[0]} but the file name says {year}")
        table = conform(raw, path, CENSUS_FIRMS)
        n = table.num_rows
        vintage = vintage_for_year(year, vintage_by_year, path)
        tables.append(_with_provenance(table, path, {
            "census_year": pa.repeat(pa.scalar(year, pa.int32()), n),
            "industry_vintage": pa.repeat(pa.scalar(vintage, pa.string()), n),
        }))
    return pa.concat_tables(_unify(tables))


def _check_code_shapes(table: pa.Table, path: Path, contract: TableContract) -> None:
    """A reference table's codes must have the contract's shape (e.g. 6 digits for a county): a code of
    another shape would silently match nothing, so the whole table is refused, naming the first one."""
    for name, width in contract.code_widths.items():
        column = pc.utf8_trim_whitespace(table.column(name))
        wrong = pc.invert(pc.match_substring_regex(column, f"^[0-9]{{{width}}}$"))
        wrong = pc.and_(wrong, pc.is_valid(column))
        if pc.any(wrong).as_py():
            first = pc.filter(column, wrong)[0].as_py()
            raise InputFileError(path, f"reference table {contract.name}: column {name} holds {first!r}, "
                                       f"not a {width}-digit code")


def land_reference(reference_dir: str | Path, table_name: str, encoding: str = "auto") -> pa.Table:
    """One reference table as text with provenance. The user's file in reference_dir wins; else the copy
    the project ships (seeds/reference, SPEC section 9); an optional table that neither has lands empty."""
    from cluster_finance.reference import shipped_path

    contract = REFERENCE_TABLES[table_name]
    path = find_reference_file(reference_dir, table_name) or shipped_path(table_name)
    if path is None:
        if contract.table_required:
            raise InputFileError(
                Path(reference_dir) / table_name,
                f"reference_dir {reference_dir} has no {table_name}.parquet|csv|dta, which the method needs",
            )
        empty = pa.table({c: pa.array([], pa.string()) for c in contract.columns})
        return _with_provenance(empty, Path(f"{table_name} (absent)"))
    table = conform(read_any(path, encoding), path, contract)
    _check_code_shapes(table, path, contract)
    shipped = path == shipped_path(table_name)
    return _with_provenance(table, path, label=f"seeds/reference/{path.name}" if shipped else None)
