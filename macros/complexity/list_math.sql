{#- List arithmetic for the complexity measures (SPEC section 10: list functions, lambdas and 1-based
    positions live in dispatched macros). Vectors and matrices are lists over a 1-based index: a matrix is
    a list of its rows. See macros/regions/dense_vectors.sql for ordered_list_agg, list_inner_product,
    list_element and unnest_list. -#}

{#- Apply `expression` (written in terms of `variable`) to every element of a list. -#}
{% macro list_map(list, variable, expression) -%}
  {{ return(adapter.dispatch('list_map', 'cluster_finance')(list, variable, expression)) }}
{%- endmacro %}

{% macro default__list_map(list, variable, expression) -%}
  list_transform({{ list }}, lambda {{ variable }}: {{ expression }})
{%- endmacro %}

{% macro spark__list_map(list, variable, expression) -%}
  transform({{ list }}, {{ variable }} -> {{ expression }})
{%- endmacro %}


{#- The sum of a list of doubles (0 for an empty list). -#}
{% macro list_total(list) -%}
  {{ return(adapter.dispatch('list_total', 'cluster_finance')(list)) }}
{%- endmacro %}

{% macro default__list_total(list) -%}
  coalesce(list_sum({{ list }}), 0.0)
{%- endmacro %}

{% macro spark__list_total(list) -%}
  aggregate({{ list }}, cast(0 as double), (acc, x) -> acc + x)
{%- endmacro %}


{#- The Euclidean distance between two equally long lists of doubles. -#}
{% macro list_euclidean_distance(left, right) -%}
  {{ return(adapter.dispatch('list_euclidean_distance', 'cluster_finance')(left, right)) }}
{%- endmacro %}

{% macro default__list_euclidean_distance(left, right) -%}
  list_distance({{ left }}, {{ right }})
{%- endmacro %}

{% macro spark__list_euclidean_distance(left, right) -%}
  sqrt(aggregate(zip_with({{ left }}, {{ right }}, (x, y) -> (x - y) * (x - y)), cast(0 as double), (acc, x) -> acc + x))
{%- endmacro %}


{#- The positions 1..n of a list, as a list. -#}
{% macro list_positions(n) -%}
  {{ return(adapter.dispatch('list_positions', 'cluster_finance')(n)) }}
{%- endmacro %}

{% macro default__list_positions(n) -%}
  range(1, {{ n }} + 1)
{%- endmacro %}

{% macro spark__list_positions(n) -%}
  sequence(1, {{ n }})
{%- endmacro %}


{#- The number of elements of a list. -#}
{% macro list_size(list) -%}
  {{ return(adapter.dispatch('list_size', 'cluster_finance')(list)) }}
{%- endmacro %}

{% macro default__list_size(list) -%}
  len({{ list }})
{%- endmacro %}

{% macro spark__list_size(list) -%}
  size({{ list }})
{%- endmacro %}


{#- A square matrix (a list of rows) times a vector: one inner product per row. -#}
{% macro matrix_times_vector(matrix, vector) -%}
  {{ list_map(matrix, 'matrix_row', list_inner_product('matrix_row', vector)) }}
{%- endmacro %}


{#- M M' for a matrix given as a list of rows; for a symmetric M that is M squared. -#}
{% macro matrix_times_transpose(matrix) -%}
  {{ list_map(matrix, 'row_i', list_map(matrix, 'row_j', list_inner_product('row_i', 'row_j'))) }}
{%- endmacro %}


{#- Every element of a list (or, with depth 2, of a list of lists) divided by a scalar. -#}
{% macro list_divide(list, divisor, depth=1) -%}
  {%- if depth == 1 -%}
  {{ list_map(list, 'element', 'element / ' ~ divisor) }}
  {%- else -%}
  {{ list_map(list, 'inner_list', list_map('inner_list', 'element', 'element / ' ~ divisor)) }}
  {%- endif -%}
{%- endmacro %}


{#- WITH for a model whose CTEs include a recursive one. Spark has no recursive CTE before 4.1, and the
    spark__ branches that need iteration unroll it instead, so plain WITH there. -#}
{% macro with_recursive() -%}
  {{ return(adapter.dispatch('with_recursive', 'cluster_finance')()) }}
{%- endmacro %}

{% macro default__with_recursive() -%}
  with recursive
{%- endmacro %}

{% macro spark__with_recursive() -%}
  with
{%- endmacro %}


{#- Equality that holds between two NULLs (a trade table without a year column has year NULL). -#}
{% macro null_safe_equals(left, right) -%}
  {{ return(adapter.dispatch('null_safe_equals', 'cluster_finance')(left, right)) }}
{%- endmacro %}

{% macro default__null_safe_equals(left, right) -%}
  ({{ left }} is not distinct from {{ right }})
{%- endmacro %}

{% macro spark__null_safe_equals(left, right) -%}
  ({{ left }} <=> {{ right }})
{%- endmacro %}


{#- In a select list: one output row per element of several equally long list columns, unnested in step;
    each list column `c` becomes a column `c` holding its element. The columns must be plain names. -#}
{% macro unnest_columns(columns) -%}
  {{ return(adapter.dispatch('unnest_columns', 'cluster_finance')(columns)) }}
{%- endmacro %}

{% macro default__unnest_columns(columns) -%}
  {%- for column in columns %}unnest({{ column }}) as {{ column }}{{ ', ' if not loop.last }}{% endfor -%}
{%- endmacro %}

{% macro spark__unnest_columns(columns) -%}
  {#- one generator per select on Spark: zip the lists, then inline the structs (fields named after the columns) -#}
  inline(arrays_zip({{ columns | join(', ') }}))
{%- endmacro %}


{#- Elementwise over equally long lists: `template` with {0}, {1}, ... standing for the lists' elements,
    e.g. list_zip_map(['a', 'b'], '{0} * {1}'). Zipping first avoids a lambda that captures a whole list
    (DuckDB copies a captured list once per element). -#}
{% macro list_zip_map(lists, template) -%}
  {{ return(adapter.dispatch('list_zip_map', 'cluster_finance')(lists, template)) }}
{%- endmacro %}

{% macro default__list_zip_map(lists, template) -%}
  {%- set expression = namespace(text=template) -%}
  {%- for list in lists -%}
    {%- set expression.text = expression.text | replace('{' ~ loop.index0 ~ '}', 'zipped[' ~ loop.index ~ ']') -%}
  {%- endfor -%}
  list_transform(list_zip({{ lists | join(', ') }}), lambda zipped: {{ expression.text }})
{%- endmacro %}

{% macro spark__list_zip_map(lists, template) -%}
  {%- set expression = namespace(text=template) -%}
  {%- for list in lists -%}
    {%- set expression.text = expression.text | replace('{' ~ loop.index0 ~ '}', 'element_at(' ~ list ~ ', k)') -%}
  {%- endfor -%}
  transform(sequence(1, size({{ lists[0] }})), k -> {{ expression.text }})
{%- endmacro %}


{#- The element of `values` at the position where `key` sits in the aligned list `keys`; NULL when absent. -#}
{% macro list_lookup(keys, values, key) -%}
  {{ return(adapter.dispatch('list_lookup', 'cluster_finance')(keys, values, key)) }}
{%- endmacro %}

{% macro default__list_lookup(keys, values, key) -%}
  {{ values }}[list_position({{ keys }}, {{ key }})]
{%- endmacro %}

{% macro spark__list_lookup(keys, values, key) -%}
  case when array_position({{ keys }}, {{ key }}) > 0
       then element_at({{ values }}, cast(array_position({{ keys }}, {{ key }}) as int)) end
{%- endmacro %}
