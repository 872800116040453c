"""The project's dbt-duckdb plugin (profiles.yml, `plugins:`): what plain `dbt build` needs around the models.

- Before dbt-duckdb opens the warehouse file, the plugin creates its folder, so that
  `dbt build --profiles-dir .` works in a fresh clone, where `build/` does not exist yet.
- On the connection it registers the SQL function `cluster_finance_land_inputs`, which the on-run-start
  hook calls to land the input files before any model runs (cluster_finance.landing says why).
"""

from __future__ import annotations

from pathlib import Path

from dbt.adapters.duckdb.plugins import BasePlugin

LAND_INPUTS_FUNCTION = "cluster_finance_land_inputs"


class Plugin(BasePlugin):
    def update_connection_config(self, creds, config) -> None:
        path = str(creds.path or "")
        remote = path.startswith(("md:", "motherduck:")) or "://" in path
        if path and path != ":memory:" and not remote:
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)

    def configure_connection(self, conn) -> None:
        from cluster_finance.landing import land_inputs_sql

        # side effects: called once per run, never folded away; special null handling: NULL means "no error"
        conn.create_function(LAND_INPUTS_FUNCTION, land_inputs_sql, ["VARCHAR"] * 5, "VARCHAR",
                             null_handling="special", side_effects=True)
