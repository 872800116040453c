{#- Generic tests written here because dbt packages (dbt_utils) cannot be installed on the build machines. -#}

{#- The combination of columns is a key: no two rows share it. -#}
{% test unique_combination_of_columns(model, columns) %}
select {{ columns | join(', ') }}, count(*) as n_rows
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}

{#- Every row satisfies the boolean SQL expression. -#}
{% test expression_is_true(model, expression, where_clause=none) %}
select *
from {{ model }}
where not ({{ expression }})
{%- if where_clause %} and ({{ where_clause }}){% endif %}
{% endtest %}

{#- The column lies in [min_value, max_value]; NULLs pass (not_null tests them). -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none) %}
select *
from {{ model }}
where {{ column_name }} is not null
  and (false
  {%- if min_value is not none %} or {{ column_name }} < {{ min_value }}{% endif %}
  {%- if max_value is not none %} or {{ column_name }} > {{ max_value }}{% endif %})
{% endtest %}

{#- The model has at least min_rows rows (an empty mart is a failed build, not a quiet success). -#}
{% test has_rows(model, min_rows=1) %}
select count(*) as n_rows
from {{ model }}
having count(*) < {{ min_rows }}
{% endtest %}
