{#-
  ECI and PCI before standardisation (SPEC section 11), for every group (a year of world_trade; a census
  year x region level x industry digits) at once, with the conventions of the Growth Lab's Stata
  `ecomplexity` (ecipci.ado):

    kp = the eigenvector of Mpp = (M / ubiquity)' (M / diversity) for its second largest eigenvalue,
    kc = (M / diversity) kp            (a location's kc is the mean kp of its activities),
    both multiplied by -1 when corr(diversity, kc) < 0.

  Mpp and Mcc = (M / diversity)(M / ubiquity)' share their eigenvalues, so the problem is solved on the
  smaller side (countries for world trade, industries for counties), in the symmetric form
    S = D^-1/2 M D_other^-1 M' D^-1/2          (D: the degrees of the side, D_other: of the other side),
  whose leading eigenvector is sqrt(degree / n_present) with eigenvalue 1. That one is deflated away, so
  the leading eigenvector of S - u u' is the second one of Mcc / Mpp; with u_side = D^-1/2 x, the other
  side's vector is one averaging step away (kp = mean kc0 over the activity's locations). Every output is
  invariant to the eigenvector's length, so only its direction and sign matter.

  The iteration lives in leading_eigenvector_ctes (dispatched): power iteration in a recursive CTE, which
  stops per group when the vector moves less than var complexity_tolerance, or repeated squaring.

  Edge cases (where Stata has no answer: its eigensystem gets missing values): a location with no
  activity above the threshold, and an activity present nowhere, take no part and get NULL; a group with
  no second eigenvalue above 1e-10 (every location with the same mix, a single location) gets NULL for
  all. Sign ties: when corr(diversity, kc) is within 1e-9 of 0 (or undefined: every location equally
  diverse), the first location in code order with a non-zero kc gets a positive one (Stata takes
  missing > 0 as true and keeps whatever sign its eigensolver returned).

  presence: a relation with the group columns, the location and activity columns and is_present.
  Output: the group columns, node_kind ('location' | 'activity'), node, eigenvector (sign fixed, not
  standardised) and the group's diagnostics.
-#}
{% macro complexity_eigenvectors(presence, group_columns, location_column, activity_column) -%}
{%- set groups = group_columns | join(', ') -%}
{{ with_recursive() }}
present as (
    select
        {{ groups }},
        {{ location_column }} as location,
        {{ activity_column }} as activity,
        dense_rank() over (order by {{ groups }}) as group_id
    from {{ presence }}
    where is_present
),

group_keys as (
    select distinct group_id, {{ groups }}
    from present
),

location_degrees as (
    select group_id, location, count(*) as diversity
    from present
    group by group_id, location
),

group_sizes as (
    select
        group_id,
        count(distinct location) as n_locations,
        count(distinct activity) as n_activities,
        count(*) as n_present,
        count(distinct location) <= count(distinct activity) as is_location_side
    from present
    group by group_id
),

-- the edges of the location x activity network, from the side the eigenproblem is solved on
oriented as (
    select
        present.group_id,
        case when group_sizes.is_location_side then present.location else present.activity end as node,
        case when group_sizes.is_location_side then present.activity else present.location end as other
    from present
    inner join group_sizes on group_sizes.group_id = present.group_id
),

nodes as (
    select
        group_id,
        node,
        cast(count(*) as double) as degree,
        row_number() over (partition by group_id order by node) as position
    from oriented
    group by group_id, node
),

others as (
    select group_id, other, count(*) as degree
    from oriented
    group by group_id, other
),

-- integer keys from here on: the pair join below is the costly step
edges as (
    select oriented.group_id, nodes.position, others.degree as other_degree,
        dense_rank() over (partition by oriented.group_id order by oriented.other) as other_id
    from oriented
    inner join nodes on nodes.group_id = oriented.group_id and nodes.node = oriented.node
    inner join others on others.group_id = oriented.group_id and others.other = oriented.other
),

-- sum over the others two nodes share of 1 / degree(other): (M D_other^-1 M')(a, b), once per unordered pair
-- (the join is the costly step: half the sum of degree(other)^2 rows);
-- one integer key per unordered pair of positions (positions < 2^20; bigint, as Spark's ranks are int):
-- a single-key aggregation is the fastest
shared as (
    select
        (cast(edge_a.group_id as bigint) * 1048576 + edge_a.position) * 1048576 + edge_b.position as pair_key,
        sum(1.0 / cast(edge_a.other_degree as double)) as weight
    from edges as edge_a
    inner join edges as edge_b
        on edge_b.group_id = edge_a.group_id
        and edge_b.other_id = edge_a.other_id
        and edge_b.position >= edge_a.position
    group by (cast(edge_a.group_id as bigint) * 1048576 + edge_a.position) * 1048576 + edge_b.position
),

-- S - u u', dense: the rows of a symmetric matrix over the side's positions
matrix_rows as (
    select
        row_node.group_id,
        row_node.position,
        {{ ordered_list_agg(
            'coalesce(shared.weight, 0.0) / sqrt(row_node.degree * column_node.degree)'
            ~ ' - sqrt(row_node.degree * column_node.degree) / group_sizes.n_present',
            'column_node.position') }} as matrix_row
    from nodes as row_node
    inner join nodes as column_node on column_node.group_id = row_node.group_id
    inner join group_sizes on group_sizes.group_id = row_node.group_id
    left join shared
        on shared.pair_key = (cast(row_node.group_id as bigint) * 1048576 + least(row_node.position, column_node.position)) * 1048576
                             + greatest(row_node.position, column_node.position)
    group by row_node.group_id, row_node.position
),

matrices as (
    select group_id, {{ ordered_list_agg('matrix_row', 'position') }} as matrix, count(*) as n_nodes
    from matrix_rows
    group by group_id
),

{{ leading_eigenvector_ctes() }}

-- the eigenvalue and the residual |S x - lambda x| of the vector found
checked as (
    select
        leading_vector.group_id,
        leading_vector.vector,
        leading_vector.iterations,
        leading_vector.step_change,
        {{ list_inner_product('leading_vector.vector', matrix_times_vector('matrices.matrix', 'leading_vector.vector')) }} as eigenvalue,
        {{ matrix_times_vector('matrices.matrix', 'leading_vector.vector') }} as product
    from leading_vector
    inner join matrices on matrices.group_id = leading_vector.group_id
),

solutions as (
    select
        group_id, vector, iterations, step_change, eigenvalue,
        {{ list_euclidean_distance('product', list_map('vector', 'element', 'element * eigenvalue')) }} as residual
    from checked
    -- no second eigenvalue: every location has the same mix, or one location
    where eigenvalue > 1e-10
),

side_values as (
    select group_id, position, {{ list_element('vector', 'position') }} as value
    from (
        select group_id, vector, {{ unnest_list(list_positions(list_size('vector'))) }} as position
        from solutions
    ) as unnested
),

-- D^-1/2 x: the eigenvector of Mcc (location side) or Mpp (activity side)
side_vector as (
    select nodes.group_id, nodes.node, side_values.value / sqrt(nodes.degree) as value
    from side_values
    inner join nodes on nodes.group_id = side_values.group_id and nodes.position = side_values.position
),

activity_vector as (
    select side_vector.group_id, side_vector.node as activity, side_vector.value as kp
    from side_vector
    inner join group_sizes on group_sizes.group_id = side_vector.group_id
    where not group_sizes.is_location_side
    union all
    -- Mpp's eigenvector from Mcc's: an activity's mean over the locations where it is present
    select present.group_id, present.activity, avg(side_vector.value) as kp
    from present
    inner join group_sizes on group_sizes.group_id = present.group_id
    inner join side_vector on side_vector.group_id = present.group_id and side_vector.node = present.location
    where group_sizes.is_location_side
    group by present.group_id, present.activity
),

-- kc = (M / diversity) kp, as Stata computes it from kp
location_vector as (
    select present.group_id, present.location, avg(activity_vector.kp) as kc
    from present
    inner join activity_vector
        on activity_vector.group_id = present.group_id and activity_vector.activity = present.activity
    group by present.group_id, present.location
),

location_values as (
    select location_vector.group_id, location_vector.location, location_vector.kc,
        cast(location_degrees.diversity as double) as diversity
    from location_vector
    inner join location_degrees
        on location_degrees.group_id = location_vector.group_id and location_degrees.location = location_vector.location
),

location_means as (
    select group_id, avg(kc) as mean_kc, avg(diversity) as mean_diversity, max(abs(kc)) as max_abs_kc
    from location_values
    group by group_id
),

correlations as (
    select
        location_values.group_id,
        sum((location_values.diversity - location_means.mean_diversity)
            * (location_values.kc - location_means.mean_kc)) as co_deviation,
        sqrt(sum((location_values.diversity - location_means.mean_diversity)
                 * (location_values.diversity - location_means.mean_diversity))
             * sum((location_values.kc - location_means.mean_kc) * (location_values.kc - location_means.mean_kc))) as deviation_scale
    from location_values
    inner join location_means on location_means.group_id = location_values.group_id
    group by location_values.group_id
),

-- the tie-break: the first location, in code order, whose kc is not zero up to rounding
first_locations as (
    select group_id, kc
    from (
        select
            location_values.group_id,
            location_values.kc,
            row_number() over (partition by location_values.group_id order by location_values.location) as rank_in_group
        from location_values
        inner join location_means on location_means.group_id = location_values.group_id
        where abs(location_values.kc) > 1e-9 * location_means.max_abs_kc
    ) as ranked
    where rank_in_group = 1
),

signs as (
    select
        correlations.group_id,
        case
            when correlations.co_deviation > 1e-9 * correlations.deviation_scale then 1.0
            when correlations.co_deviation < -1e-9 * correlations.deviation_scale then -1.0
            when first_locations.kc < 0 then -1.0
            else 1.0
        end as eigen_sign,
        not (abs(correlations.co_deviation) > 1e-9 * correlations.deviation_scale) as is_sign_tie
    from correlations
    left join first_locations on first_locations.group_id = correlations.group_id
),

diagnostics as (
    select
        solutions.group_id, solutions.eigenvalue, solutions.iterations, solutions.step_change,
        solutions.residual, signs.eigen_sign, signs.is_sign_tie,
        case when group_sizes.is_location_side then 'location' else 'activity' end as solved_side
    from solutions
    inner join signs on signs.group_id = solutions.group_id
    inner join group_sizes on group_sizes.group_id = solutions.group_id
),

vectors as (
    select group_id, 'location' as node_kind, location as node, kc as eigenvector
    from location_vector
    union all
    select group_id, 'activity' as node_kind, activity as node, kp as eigenvector
    from activity_vector
)

select
    {% for column in group_columns %}group_keys.{{ column }}, {% endfor %}
    vectors.node_kind,
    vectors.node,
    diagnostics.eigen_sign * vectors.eigenvector as eigenvector,
    diagnostics.eigenvalue,
    cast(diagnostics.iterations as integer) as iterations,
    diagnostics.step_change,
    diagnostics.residual,
    diagnostics.is_sign_tie,
    diagnostics.solved_side
from vectors
inner join diagnostics on diagnostics.group_id = vectors.group_id
inner join group_keys on group_keys.group_id = vectors.group_id
{%- endmacro %}


{#-
  CTEs ending in leading_vector(group_id, vector, iterations, step_change): the leading eigenvector (unit
  length) of each group's matrix in `matrices` (group_id, matrix as a list of rows, n_nodes).
  var complexity_eigen_method: 'power' (default on DuckDB) or 'squaring' (the only one on Spark).
-#}
{% macro leading_eigenvector_ctes() -%}
  {{ return(adapter.dispatch('leading_eigenvector_ctes', 'cluster_finance')()) }}
{%- endmacro %}

{% macro default__leading_eigenvector_ctes() -%}
  {%- set method = var('complexity_eigen_method', 'power') -%}
  {%- if method == 'power' -%}
    {{ power_iteration_ctes() }}
  {%- elif method == 'squaring' -%}
    {{ squaring_ctes() }}
  {%- else -%}
    {{ exceptions.raise_compiler_error("var complexity_eigen_method must be 'power' or 'squaring', not '" ~ method ~ "'") }}
  {%- endif -%}
{%- endmacro %}

{% macro spark__leading_eigenvector_ctes() -%}
  {#- No recursive CTE before Spark 4.1: a fixed, unrolled number of squarings. -#}
  {{ squaring_ctes() }}
{%- endmacro %}


{#- Power iteration, x <- S x / |S x|, from a fixed start that no symmetry makes orthogonal to the answer,
    until |x_new - x| < var complexity_tolerance or var complexity_max_iterations steps; each group stops on
    its own. S is positive semi-definite, so the vector never flips sign between steps. -#}
{% macro power_iteration_ctes() -%}
power_iteration (group_id, step, vector, step_change) as (
    select
        group_id,
        0,
        {{ list_map(list_positions('n_nodes'), 'k', 'cast(1.0 + sqrt(k) as double)') }},
        cast(null as double)
    from matrices
    union all
    select group_id, step + 1, next_vector, {{ list_euclidean_distance('next_vector', 'vector') }}
    from (
        select group_id, step, vector, {{ list_divide('product', 'product_norm') }} as next_vector
        from (
            select group_id, step, vector, product, sqrt({{ list_inner_product('product', 'product') }}) as product_norm
            from (
                select
                    power_iteration.group_id,
                    power_iteration.step,
                    power_iteration.vector,
                    {{ matrix_times_vector('matrices.matrix', 'power_iteration.vector') }} as product
                from power_iteration
                inner join matrices on matrices.group_id = power_iteration.group_id
                where power_iteration.step < {{ var('complexity_max_iterations', 5000) }}
                  and (power_iteration.step_change is null
                       or power_iteration.step_change > {{ var('complexity_tolerance', 1e-12) }})
            ) as products
        ) as normed
        where product_norm > 0
    ) as stepped
),

leading_vector as (
    select group_id, vector, step as iterations, step_change
    from (
        select
            group_id, step, vector, step_change,
            row_number() over (partition by group_id order by step desc) as latest
        from power_iteration
    ) as ranked
    -- step 0 is the start vector: a group whose first product was zero has no eigenvector
    where latest = 1 and step > 0
),
{%- endmacro %}


{#- Repeated squaring: A <- A A / |A A| (Frobenius), var complexity_squarings times, so that A = S^(2^k) up
    to scale, every row of which is a multiple of the leading eigenvector (2^12 = 4096 power steps at the
    default); the row with the largest diagonal carries the most of it. Two plain power steps follow, and
    the second one's change is reported. Costs n^3 per squaring (power iteration: n^2 per step). -#}
{% macro squaring_ctes() -%}
{%- set squarings = var('complexity_squarings', 12) -%}
squared_0 as (
    select group_id, matrix as power_matrix
    from matrices
),
{% for k in range(1, squarings + 1) %}
squared_{{ k }} as (
    select group_id, {{ list_divide('product', 'frobenius', depth=2) }} as power_matrix
    from (
        select group_id, product,
            sqrt({{ list_total(list_map('product', 'product_row', list_inner_product('product_row', 'product_row'))) }}) as frobenius
        from (
            select group_id, {{ matrix_times_transpose('power_matrix') }} as product
            from squared_{{ k - 1 }}
        ) as products
    ) as normed
    where frobenius > 0
),
{% endfor %}
squared_rows as (
    select group_id, row_vector, diagonal
    from (
        select
            group_id,
            {{ list_element('power_matrix', 'position') }} as row_vector,
            {{ list_element(list_element('power_matrix', 'position'), 'position') }} as diagonal,
            row_number() over (partition by group_id order by
                {{ list_element(list_element('power_matrix', 'position'), 'position') }} desc, position) as rank_in_group
        from (
            select group_id, power_matrix,
                {{ unnest_list(list_positions(list_size('power_matrix'))) }} as position
            from squared_{{ squarings }}
        ) as unnested
    ) as ranked
    where rank_in_group = 1 and diagonal > 0
),

polished_0 as (
    select group_id, {{ list_divide('row_vector', 'sqrt(' ~ list_inner_product('row_vector', 'row_vector') ~ ')') }} as vector,
        cast(null as double) as step_change
    from squared_rows
),
{% for k in range(1, 3) %}
polished_{{ k }} as (
    select group_id, next_vector as vector, {{ list_euclidean_distance('next_vector', 'vector') }} as step_change
    from (
        select group_id, vector, {{ list_divide('product', 'sqrt(' ~ list_inner_product('product', 'product') ~ ')') }} as next_vector
        from (
            select polished_{{ k - 1 }}.group_id, polished_{{ k - 1 }}.vector,
                {{ matrix_times_vector('matrices.matrix', 'polished_' ~ (k - 1) ~ '.vector') }} as product
            from polished_{{ k - 1 }}
            inner join matrices on matrices.group_id = polished_{{ k - 1 }}.group_id
        ) as products
        where {{ list_inner_product('product', 'product') }} > 0
    ) as stepped
),
{% endfor %}
leading_vector as (
    select group_id, vector, {{ 2 ** squarings + 2 }} as iterations, step_change
    from polished_2
),
{%- endmacro %}
