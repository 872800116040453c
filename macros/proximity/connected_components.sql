{#-
  Connected components of an undirected graph, as a subquery with columns (node, component_id):
  component_id is the smallest node reachable from node. `nodes` is a relation (or CTE name) with a
  column `node`; `edges` one with columns `node_a`, `node_b` (either direction; both are followed).
  Every node of `nodes` appears once; edge endpoints missing from `nodes` are not added.

  Dispatched because it needs a recursive CTE (SPEC section 10): DuckDB has them; an engine without
  them would implement this by a bounded number of label-propagation passes.
-#}
{% macro connected_components(nodes, edges) -%}
  {{ return(adapter.dispatch('connected_components', 'cluster_finance')(nodes, edges)) }}
{%- endmacro %}

{% macro default__connected_components(nodes, edges) -%}
(
    with recursive undirected as (
        select node_a as node_from, node_b as node_to from {{ edges }}
        union
        select node_b as node_from, node_a as node_to from {{ edges }}
    ),

    -- `union` (not `union all`) removes pairs already found, so the recursion stops once no new node is
    -- reached; the closure is at most (component size)^2 rows, small for industry concordances.
    reachable (node, reached) as (
        select node, node as reached from {{ nodes }}
        union
        select reachable.node, undirected.node_to
        from reachable
        inner join undirected on undirected.node_from = reachable.reached
    )

    select reachable.node, min(reachable.reached) as component_id
    from reachable
    inner join {{ nodes }} as known on known.node = reachable.reached
    group by reachable.node
)
{%- endmacro %}
