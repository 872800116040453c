"""Checks on seeds/cic2002_isic3.csv, the authored CIC 2002 -> ISIC Rev.3 concordance.

Reads the real code lists and the ISIC -> SITC table that ship with the project (seeds/reference).
"""
from pathlib import Path

import pandas as pd
import pytest

from cluster_finance.reference import read_shipped

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "seeds" / "cic2002_isic3.csv"

# Manufacturing classes (divisions 13-43) whose only ISIC counterparts reach no traded SITC product
# in isic3_sitc2_4d_via_sitc3.csv. Each is a processing service or an activity with no goods of its own.
NO_PRODUCT_MANUFACTURING = {
    "1712": "cotton/man-made fibre dyeing and finishing -> ISIC 1712 finishing of textiles",
    "1723": "wool dyeing and finishing -> ISIC 1712",
    "1743": "silk dyeing and finishing -> ISIC 1712",
    "2330": "reproduction of recorded media -> ISIC 2230",
    "3460": "metal surface and heat treatment -> ISIC 2892",
    "3591": "iron and steel castings -> ISIC 2731 casting of iron and steel",
    "3592": "forgings and powder metallurgy -> ISIC 2891",
    "3726": "motor vehicle repair -> ISIC 5020 (a service)",
    "4310": "recycling of metal waste and scrap -> ISIC 3710",
    "4320": "recycling of non-metal waste and scrap -> ISIC 3720",
}


@pytest.fixture(scope="module")
def seed():
    return pd.read_csv(SEED, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def cic_classes():
    c = read_shipped("cic_codes")
    c = c[(c["level"] == "class") & c["division"].between("06", "46")]
    return set(c["code"])


@pytest.fixture(scope="module")
def isic_classes():
    d = read_shipped("isic_codes")
    return set(d.loc[d["code"].str.fullmatch(r"\d{4}"), "code"])


@pytest.fixture(scope="module")
def isic_with_product():
    return set(read_shipped("isic_sitc")["isic_code"])


def test_columns(seed):
    assert list(seed.columns) == ["industry_code", "isic_code", "note"]


def test_codes_are_four_digits(seed):
    assert seed["industry_code"].str.fullmatch(r"\d{4}").all()
    assert seed["isic_code"].str.fullmatch(r"\d{4}").all()


def test_no_duplicate_pairs(seed):
    dup = seed[seed.duplicated(["industry_code", "isic_code"], keep=False)]
    assert dup.empty, dup.to_string()


def test_sorted(seed):
    keys = list(zip(seed["industry_code"], seed["isic_code"]))
    assert keys == sorted(keys)


def test_every_class_of_divisions_06_46_mapped(seed, cic_classes):
    assert len(cic_classes) == 525
    missing = sorted(cic_classes - set(seed["industry_code"]))
    assert not missing, f"unmapped CIC classes: {missing}"


def test_only_classes_of_divisions_06_46(seed, cic_classes):
    extra = sorted(set(seed["industry_code"]) - cic_classes)
    assert not extra, f"codes that are not CIC 2002 classes of divisions 06-46: {extra}"


def test_isic_codes_exist(seed, isic_classes):
    bad = sorted(set(seed["isic_code"]) - isic_classes)
    assert not bad, f"not ISIC Rev.3 four-digit classes: {bad}"


def test_multi_mapped_classes_carry_a_note(seed):
    multi = seed.groupby("industry_code").filter(lambda g: len(g) > 1)
    assert (multi["note"] != "").all(), multi[multi["note"] == ""].to_string()


def _reach(seed, isic_with_product):
    """Per CIC class: does any of its ISIC classes reach a SITC product?"""
    hit = seed["isic_code"].isin(isic_with_product)
    reach = hit.groupby(seed["industry_code"]).any()
    division = pd.Series(reach.index.str[:2], index=reach.index)
    return reach, division


def test_manufacturing_reaches_products(seed, isic_with_product):
    reach, division = _reach(seed, isic_with_product)
    manuf = reach[division.between("13", "43")]
    no_product = set(manuf[~manuf].index)
    assert no_product == set(NO_PRODUCT_MANUFACTURING), (
        f"unexpected: {sorted(no_product - set(NO_PRODUCT_MANUFACTURING))}; "
        f"no longer without product: {sorted(set(NO_PRODUCT_MANUFACTURING) - no_product)}"
    )


def test_mining_and_utilities_without_product(seed, isic_with_product):
    # oil and gas services (ISIC 1120); heat (4030), water (4100) and sewage (9000) are not traded goods
    reach, division = _reach(seed, isic_with_product)
    other = reach[~division.between("13", "43")]
    assert set(other[~other].index) == {"0790", "4430", "4610", "4620", "4690"}


def test_coverage_report(seed, isic_with_product):
    reach, division = _reach(seed, isic_with_product)
    per_class = seed.groupby("industry_code").size()
    lines = [
        f"rows={len(seed)} classes={len(per_class)} multi-ISIC classes={int((per_class > 1).sum())} "
        f"ISIC classes used={seed['isic_code'].nunique()}"
    ]
    for name, lo, hi in [("mining 06-11", "06", "11"), ("manufacturing 13-43", "13", "43"),
                         ("utilities 44-46", "44", "46")]:
        sub = reach[division.between(lo, hi)]
        lines.append(f"{name}: {int(sub.sum())}/{len(sub)} classes reach a SITC product")
    lines.append("without product: " + ", ".join(sorted(reach[~reach].index)))
    print("\n" + "\n".join(lines))
    assert len(per_class) == 525 and int(reach.sum()) == 510
