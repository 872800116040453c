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


{#- Sparse-to-dense helpers (region_proximity). A region's cells are aggregated once into aligned lists, then
    spread over the industry index of its digits. -#}

{#- An aggregate: the group's values as a list, in no particular order, but the same order for every
    list_agg of one group by (both engines fill all of a group's aggregates from the same rows in one pass
    and merge partial states together), so several list_agg columns stay aligned element by element. -#}
{% macro list_agg(value) -%}
  {{ return(adapter.dispatch('list_agg', 'cluster_finance')(value)) }}
{%- endmacro %}

{% macro default__list_agg(value) -%}
  list({{ value }})
{%- endmacro %}

{% macro spark__list_agg(value) -%}
  collect_list({{ value }})
{%- endmacro %}


{#- For positions 1..n, where each sits in the list of positions (1-based; NULL (DuckDB) or 0 (Spark) when
    absent): computed once per region and used to spread every field to a dense vector. -#}
{% macro dense_slots(positions, n) -%}
  {{ return(adapter.dispatch('dense_slots', 'cluster_finance')(positions, n)) }}
{%- endmacro %}

{% macro default__dense_slots(positions, n) -%}
  list_transform(range(1, {{ n }} + 1), lambda k: list_position({{ positions }}, k))
{%- endmacro %}

{% macro spark__dense_slots(positions, n) -%}
  transform(sequence(1, {{ n }}), k -> cast(array_position({{ positions }}, k) as int))
{%- endmacro %}


{#- The dense vector of a list of values given their slots: 0.0 where a position has no value. -#}
{% macro dense_values(values, slots) -%}
  {{ return(adapter.dispatch('dense_values', 'cluster_finance')(values, slots)) }}
{%- endmacro %}

{% macro default__dense_values(values, slots) -%}
  list_transform({{ slots }}, lambda slot: coalesce({{ values }}[slot], 0.0))
{%- endmacro %}

{% macro spark__dense_values(values, slots) -%}
  transform({{ slots }}, slot -> case when slot > 0 then coalesce(element_at({{ values }}, slot), cast(0 as double)) else cast(0 as double) end)
{%- endmacro %}


{#- The element at a 1-based position of a list. -#}
{% macro list_element(list, position) -%}
  {{ return(adapter.dispatch('list_element', 'cluster_finance')(list, position)) }}
{%- endmacro %}

{% macro default__list_element(list, position) -%}
  {{ list }}[{{ position }}]
{%- endmacro %}

{% macro spark__list_element(list, position) -%}
  element_at({{ list }}, {{ position }})
{%- endmacro %}


{#- One output row per element of a list (in a select list, next to the row's other columns). -#}
{% macro unnest_list(list) -%}
  {{ return(adapter.dispatch('unnest_list', 'cluster_finance')(list)) }}
{%- endmacro %}

{% macro default__unnest_list(list) -%}
  unnest({{ list }})
{%- endmacro %}

{% macro spark__unnest_list(list) -%}
  explode({{ list }})
{%- endmacro %}
