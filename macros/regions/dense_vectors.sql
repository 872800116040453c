{#- Dense vectors for the region proximity index (SPEC section 10: ordered lists, list/ARRAY functions and
    their indexing live here, dispatched per adapter). A region's size vector and an industry's proximity
    row are lists over the same industry index, so one inner product gives sum_j s(r,j) phi(i,j). -#}

{#- An aggregate: the values of a group as a list ordered by order_by (ascending). -#}
{% macro ordered_list_agg(value, order_by) -%}
  {{ return(adapter.dispatch('ordered_list_agg', 'cluster_finance')(value, order_by)) }}
{%- endmacro %}

{% macro default__ordered_list_agg(value, order_by) -%}
  list({{ value }} order by {{ order_by }})
{%- endmacro %}

{% macro spark__ordered_list_agg(value, order_by) -%}
  {#- collect_list keeps no order on Spark: sort (position, value) structs, then drop the position. -#}
  transform(array_sort(collect_list(struct({{ order_by }} as pos, {{ value }} as val))), x -> x.val)
{%- endmacro %}


{#- The inner product of two equally long lists of doubles. -#}
{% macro list_inner_product(left, right) -%}
  {{ return(adapter.dispatch('list_inner_product', 'cluster_finance')(left, right)) }}
{%- endmacro %}

{% macro default__list_inner_product(left, right) -%}
  list_inner_product({{ left }}, {{ right }})
{%- endmacro %}

{% macro spark__list_inner_product(left, right) -%}
  aggregate(zip_with({{ left }}, {{ right }}, (x, y) -> x * y), cast(0 as double), (acc, x) -> acc + x)
{%- endmacro %}
