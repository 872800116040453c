{#- Generic tests for the proximity models (dbt packages cannot be installed, SPEC section 7). -#}

{#-
  A matrix stored as rows (row_column, col_column, value) is symmetric: for every (a, b) the row (b, a)
  exists, within the same partition, with exactly the same value.
-#}
{% test is_symmetric(model, row_column, col_column, value_column, partition_by=[]) %}
select original.*
from {{ model }} as original
left join {{ model }} as mirrored
    on mirrored.{{ row_column }} = original.{{ col_column }}
    and mirrored.{{ col_column }} = original.{{ row_column }}
    {%- for column in partition_by %}
    and mirrored.{{ column }} = original.{{ column }}
    {%- endfor %}
where mirrored.{{ value_column }} is null
   or mirrored.{{ value_column }} <> original.{{ value_column }}
{% endtest %}

{#- The column sums to 1 (within tolerance) within each group of group_by columns. -#}
{% test sums_to_one(model, column_name, group_by, tolerance=1e-9) %}
select {{ group_by | join(', ') }}, sum({{ column_name }}) as total
from {{ model }}
group by {{ group_by | join(', ') }}
having abs(sum({{ column_name }}) - 1) > {{ tolerance }}
{% endtest %}
