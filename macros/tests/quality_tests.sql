{#- More generic tests (issue 7), beside generic_tests.sql. Each returns the offending rows: zero rows pass. -#}

{#- Symmetry of pair measures: is_symmetric in macros/proximity/proximity_tests.sql. -#}

{#- The columns (NULL counted as 0) sum to at most max_value: ownership shares sum to at most 1 (+0.01). -#}
{% test sum_at_most(model, columns, max_value) %}
select *
from {{ model }}
where {% for column in columns %}coalesce({{ column }}, 0){% if not loop.last %} + {% endif %}{% endfor %}
      > {{ max_value }}
{% endtest %}

{#- A total equals the sum of its parts, row by row: raw rows = accepted + rejected. -#}
{% test sums_to(model, total, parts) %}
select *
from {{ model }}
where {{ total }} is null
   or {{ total }} <> {% for part in parts %}coalesce({{ part }}, 0){% if not loop.last %} + {% endif %}{% endfor %}
{% endtest %}

{#- Every non-NULL value matches the regular expression in full (code shapes: 6-digit county codes). -#}
{% test matches_regex(model, column_name, pattern) %}
select *
from {{ model }}
where {{ column_name }} is not null
  and not {{ matches_pattern(column_name, pattern) }}
{% endtest %}

{#- Two models have the same number of rows (optionally each filtered): nothing silently dropped between
    them. Returns one row holding both counts when they differ. -#}
{% test equal_row_count(model, compare_model, where_clause=none, compare_where_clause=none) %}
with a as (
    select count(*) as n_rows from {{ model }} {% if where_clause %}where {{ where_clause }}{% endif %}
),
b as (
    select count(*) as n_rows from {{ compare_model }} {% if compare_where_clause %}where {{ compare_where_clause }}{% endif %}
)
select a.n_rows as model_rows, b.n_rows as compare_rows
from a cross join b
where a.n_rows <> b.n_rows
{% endtest %}

{#- Every value is finite: no NaN or infinity slipped into a mart. -#}
{% test finite_values(model, column_name) %}
select *
from {{ model }}
where {{ column_name }} is not null
  and not {{ is_finite(column_name) }}
{% endtest %}
