"""The dbt unit tests (hand-worked cases in the models' yml) run here, once; data builds skip them."""

from __future__ import annotations

from cluster_finance.warehouse import run_dbt


def test_every_dbt_unit_test_passes(tiny_warehouse, tmp_path):
    result = run_dbt(["test", "--select", "test_type:unit"], tiny_warehouse, target_path=tmp_path / "target")
    # (the results also hold the project's on-run-start hook, which lands nothing for `dbt test`)
    outcomes = {r.node.name: str(r.status) for r in result.result.results
                if str(r.node.resource_type).endswith("unit_test")}
    failed = {name: status for name, status in outcomes.items() if status != "pass"}
    assert result.success and not failed, failed
    # The hand-worked cases of product, industry and region proximity, harmonisation, concentration,
    # outcomes and the panel: a selector that matched nothing must not pass quietly.
    assert len(outcomes) >= 20, sorted(outcomes)
