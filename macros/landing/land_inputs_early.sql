{#-
  The on-run-start hook of `dbt build` and `dbt run` (dbt_project.yml): land the input files whose landing
  models the run selected before any model runs, through the SQL function cluster_finance_land_inputs that
  the project's dbt-duckdb plugin registers (python/cluster_finance/landing.py). A file that cannot be
  used then stops the run with one sentence naming the file and the problem (DuckDB's error() carries it;
  dbt_project.yml's flag skip_nodes_if_on_run_start_fails skips every node), instead of a Python model's
  traceback. Other commands (compile, docs, test), other engines, or a profile without the plugin: a
  no-op, and the landing models read the files themselves.
-#}
{% macro land_inputs_early() %}
  {%- set tables = [] -%}
  {%- if execute and target.type == 'duckdb' and flags.WHICH in ('build', 'run') -%}
    {%- for node_id in selected_resources | sort -%}
      {%- set parts = node_id.split('.') -%}
      {%- if parts[0] == 'model' and parts[-1].startswith('land_') -%}
        {%- do tables.append(parts[-1][5:]) -%}
      {%- endif -%}
    {%- endfor -%}
  {%- endif -%}
  {%- if tables and cluster_finance_plugin_loaded() -%}
    {#- the census first: its errors are the likely ones -#}
    {%- set tables = (['census_firms'] if 'census_firms' in tables else []) + (tables | reject('equalto', 'census_firms') | list) -%}
    select error(message)
    from (
        select cluster_finance_land_inputs(
            {{ sql_text(var('raw_dir')) }},
            {{ sql_text(var('reference_dir')) }},
            {{ sql_text(var('csv_encoding')) }},
            {{ sql_text(tojson(var('industry_vintage_by_year'))) }},
            {{ sql_text(tables | join(',')) }}
        ) as message
    ) as landed
    where message is not null
  {%- else -%}
    select 'no input files to land early' as skipped
  {%- endif -%}
{% endmacro %}

{#- True when the connection has the plugin's SQL function (profiles.yml lists the plugin). -#}
{% macro cluster_finance_plugin_loaded() %}
  {%- set found = run_query("select count(*) from duckdb_functions() where function_name = 'cluster_finance_land_inputs'") -%}
  {{- return(found.columns[0].values()[0] > 0) -}}
{% endmacro %}

{#- A SQL string literal of a value. -#}
{% macro sql_text(value) -%}
  '{{ (value | string) | replace("'", "''") }}'
{%- endmacro %}
