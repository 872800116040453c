{#-
  Relatedness density, COI and COG, and the standardised ECI and PCI (SPEC section 11), for every location x
  activity pair of every group: the rectangle over the group's locations and activities (those with a
  positive value in `presence`), as Stata `ecomplexity` fills it in. Its conventions (calculate_density.ado,
  coicog.ado, ecomplexity.ado):

    density(c,q) = sum_p M(c,p) phi(p,q) / sum_p phi(p,q)            phi(p,p) = 0
    COI(c)       = sum_q density(c,q) (1 - M(c,q)) kp(q)
    COG(c,q)     = (1 - M(c,q)) sum_p (1 - M(c,p)) phi(p,q) kp(p) / sum_r phi(p,r)
    ECI = (kc - mean kc) / sd kc,  PCI = (kp - mean kc) / sd kc,  COG = COG / sd kc,
    COI = (COI - mean COI) / sd COI,

  with kc, kp the raw eigenvectors (complexity_eigenvectors) and mean and sd taken, as Stata's `summarize`
  takes them, over the long table: each location once per activity of the group, sd with N - 1. (The
  PyPI port uses numpy's population sd over locations, which differs by a factor sqrt(1 - 1/(N_c N_p)).)
  Activities with no proximity (a product nobody exports with RCA above the threshold; an industry with no
  traded product) have NULL density and COG and add nothing to the sums.

  presence: group columns, location and activity columns, is_present, and the passthrough columns; one row
  per pair with a positive value. eigenvectors: the output of complexity_eigenvectors. proximity: the
  proximity_group_columns (a subset of the group columns), activity_a, activity_b, proximity; the diagonal,
  if there, is ignored.
-#}
{% macro complexity_outlook(presence, eigenvectors, proximity, group_columns, proximity_group_columns,
                            location_column, activity_column, passthrough_columns=[]) -%}
{%- set groups = group_columns | join(', ') -%}
with grouped as (
    select
        {{ groups }},
        {{ location_column }} as location,
        {{ activity_column }} as activity,
        is_present,
        {%- for column in passthrough_columns %}
        {{ column }},
        {%- endfor %}
        dense_rank() over (order by {{ groups }}) as group_id
    from {{ presence }}
),

-- an activity's position in its group's vectors, on every row (so that no later step joins on its code)
observed as (
    select grouped.*, dense_rank() over (partition by group_id order by activity) as position
    from grouped
),

group_keys as (
    select distinct group_id, {{ groups }}
    from observed
),

locations as (
    select group_id, location, count(case when is_present then 1 end) as diversity
    from observed
    group by group_id, location
),

activities as (
    select group_id, activity, position, count(case when is_present then 1 end) as ubiquity
    from observed
    group by group_id, activity, position
),

group_sizes as (
    select group_id, count(*) as n_activities
    from activities
    group by group_id
),

eigenvectors as (
    select group_keys.group_id, vectors.node_kind, vectors.node, vectors.eigenvector
    from {{ eigenvectors }} as vectors
    inner join group_keys
        on {% for column in group_columns %}{{ null_safe_equals('group_keys.' ~ column, 'vectors.' ~ column) }}{{ ' and ' if not loop.last }}{% endfor %}
),

location_complexity as (
    select group_id, node as location, eigenvector as kc
    from eigenvectors
    where node_kind = 'location'
),

activity_complexity as (
    select activities.group_id, activities.activity, activities.position, eigenvectors.eigenvector as kp
    from activities
    inner join eigenvectors
        on eigenvectors.group_id = activities.group_id
        and eigenvectors.node_kind = 'activity'
        and eigenvectors.node = activities.activity
),

-- phi(p,q) over the group's activities, off the diagonal
proximity as (
    select group_keys.group_id, activity_a.position as position_a, activity_b.position as position_b, pairs.proximity
    from {{ proximity }} as pairs
    inner join group_keys
        on {% for column in proximity_group_columns %}{{ null_safe_equals('group_keys.' ~ column, 'pairs.' ~ column) }}{{ ' and ' if not loop.last }}{% endfor %}
    inner join activities as activity_a
        on activity_a.group_id = group_keys.group_id and activity_a.activity = pairs.activity_a
    inner join activities as activity_b
        on activity_b.group_id = group_keys.group_id and activity_b.activity = pairs.activity_b
    where pairs.activity_a <> pairs.activity_b
),

row_sums as (
    select group_id, position_a as position, sum(proximity) as row_sum
    from proximity
    group by group_id, position_a
),

column_sums as (
    select group_id, position_b as position, sum(proximity) as column_sum
    from proximity
    group by group_id, position_b
),

-- Per activity: g = kp / rowsum (COG's weight of an activity p) and kp / colsum (COI's weight of q);
-- 0 where the activity has no proximity or no PCI.
activity_weights as (
    select
        activities.group_id,
        activities.position,
        activities.activity,
        activities.ubiquity,
        activity_complexity.kp,
        column_sums.column_sum,
        case when row_sums.row_sum > 0 then coalesce(activity_complexity.kp, 0.0) / row_sums.row_sum
             else 0.0 end as gain_weight,
        case when column_sums.column_sum > 0 then coalesce(activity_complexity.kp, 0.0) / column_sums.column_sum
             else 0.0 end as outlook_weight
    from activities
    left join activity_complexity
        on activity_complexity.group_id = activities.group_id and activity_complexity.position = activities.position
    left join row_sums on row_sums.group_id = activities.group_id and row_sums.position = activities.position
    left join column_sums on column_sums.group_id = activities.group_id and column_sums.position = activities.position
),

weight_vectors as (
    select
        group_id,
        {{ ordered_list_agg('gain_weight', 'position') }} as gain_weights,
        {{ ordered_list_agg('outlook_weight', 'position') }} as outlook_weights,
        -- no PCI in the group: no COI either
        count(kp) > 0 as has_outlook
    from activity_weights
    group by group_id
),

-- For each activity q its proximity column phi(., q), dense over the group's activities: density is one
-- inner product with a location's presence vector M(c, .), and COG's sum_p M(c,p) phi(p,q) kp(p) / rowsum(p)
-- another, with M(c, .) weighted by g.
activity_columns as (
    select
        column_activity.group_id,
        column_activity.position,
        {{ ordered_list_agg('coalesce(proximity.proximity, 0.0)', 'row_activity.position') }} as proximity_column
    from activities as column_activity
    inner join activities as row_activity on row_activity.group_id = column_activity.group_id
    left join proximity
        on proximity.group_id = column_activity.group_id
        and proximity.position_a = row_activity.position
        and proximity.position_b = column_activity.position
    group by column_activity.group_id, column_activity.position
),

-- sum_p phi(p,q) kp(p) / rowsum(p): COG of q for a location that has nothing
gain_totals as (
    select
        activity_columns.group_id,
        activity_columns.position,
        {{ list_inner_product('weight_vectors.gain_weights', 'activity_columns.proximity_column') }} as gain_total
    from activity_columns
    inner join weight_vectors on weight_vectors.group_id = activity_columns.group_id
),

matrices as (
    select group_id, {{ ordered_list_agg('proximity_column', 'position') }} as proximity_columns
    from activity_columns
    group by group_id
),

-- each location's observed cells as aligned lists (position, presence, passthrough values)
location_cells as (
    select
        group_id,
        location,
        {{ list_agg('position') }} as positions
        {%- for column in passthrough_columns %},
        {{ list_agg('cast(' ~ column ~ ' as double)') }} as {{ column }}_values
        {%- endfor %}
    from observed
    group by group_id, location
),

present_cells as (
    select group_id, location, {{ list_agg('position') }} as present_positions, {{ list_agg('cast(1.0 as double)') }} as ones
    from observed
    where is_present
    group by group_id, location
),

-- ... and M(c, .) spread to a dense vector over the group's activities (0 where absent; a location with
-- nothing present gets zeros)
location_vectors as (
    select
        location_cells.group_id,
        location_cells.location,
        cast(locations.diversity as integer) as diversity,
        location_complexity.kc,
        location_cells.positions,
        {%- for column in passthrough_columns %}
        location_cells.{{ column }}_values,
        {%- endfor %}
        {{ dense_values('present_cells.ones', dense_slots('present_cells.present_positions', 'group_sizes.n_activities')) }}
            as presence_vector
    from location_cells
    inner join group_sizes on group_sizes.group_id = location_cells.group_id
    inner join locations on locations.group_id = location_cells.group_id and locations.location = location_cells.location
    left join present_cells
        on present_cells.group_id = location_cells.group_id and present_cells.location = location_cells.location
    left join location_complexity
        on location_complexity.group_id = location_cells.group_id and location_complexity.location = location_cells.location
),

weighted_vectors as (
    select
        location_vectors.*,
        {{ list_zip_map(['location_vectors.presence_vector', 'weight_vectors.gain_weights'], '{0} * {1}') }} as weighted_vector
    from location_vectors
    inner join weight_vectors on weight_vectors.group_id = location_vectors.group_id
),

-- One row per group holding all its locations' vectors, so that each group's proximity matrix meets them
-- once (a join of the matrix to every location row would copy it to each).
{%- set location_lists = ['location', 'diversity', 'kc', 'presence_vector', 'positions'] %}
{%- for column in passthrough_columns %}{% do location_lists.append(column ~ '_values') %}{% endfor %}
group_location_vectors as (
    select
        group_id,
        {%- for column in location_lists %}
        {{ list_agg(column) }} as {{ column }},
        {%- endfor %}
        {{ list_agg('weighted_vector') }} as weighted_vector
    from weighted_vectors
    group by group_id
),

group_sums as (
    select
        group_location_vectors.*,
        {{ list_map('group_location_vectors.presence_vector', 'presence_row',
                    list_map('matrices.proximity_columns', 'proximity_column',
                             list_inner_product('presence_row', 'proximity_column'))) }} as related_sums,
        {{ list_map('group_location_vectors.weighted_vector', 'weighted_row',
                    list_map('matrices.proximity_columns', 'proximity_column',
                             list_inner_product('weighted_row', 'proximity_column'))) }} as gain_sums
    from group_location_vectors
    inner join matrices on matrices.group_id = group_location_vectors.group_id
),

location_sums as (
    select group_id, {{ unnest_columns(location_lists + ['related_sums', 'gain_sums']) }}
    from group_sums
),

-- COI before standardisation: sum_q density(c,q) (1 - M(c,q)) kp(q)
location_outlook as (
    select
        location_sums.*,
        case when weight_vectors.has_outlook then
        {{ list_total(list_zip_map(['location_sums.related_sums', 'location_sums.presence_vector', 'weight_vectors.outlook_weights'],
                                   '{0} * (1.0 - {1}) * {2}')) }} end as raw_coi
    from location_sums
    inner join weight_vectors on weight_vectors.group_id = location_sums.group_id
),

-- Stata's summarize over the long table: each location counted once per activity of the group
location_means as (
    select group_id, avg(kc) as mean_kc, count(kc) as n_eci, avg(raw_coi) as mean_coi, count(raw_coi) as n_coi
    from location_outlook
    group by group_id
),

group_scales as (
    select
        location_outlook.group_id,
        location_means.mean_kc,
        sqrt(group_sizes.n_activities * sum((location_outlook.kc - location_means.mean_kc) * (location_outlook.kc - location_means.mean_kc))
             / nullif(location_means.n_eci * group_sizes.n_activities - 1, 0)) as sd_kc,
        location_means.mean_coi,
        sqrt(group_sizes.n_activities * sum((location_outlook.raw_coi - location_means.mean_coi) * (location_outlook.raw_coi - location_means.mean_coi))
             / nullif(location_means.n_coi * group_sizes.n_activities - 1, 0)) as sd_coi
    from location_outlook
    inner join location_means on location_means.group_id = location_outlook.group_id
    inner join group_sizes on group_sizes.group_id = location_outlook.group_id
    group by location_outlook.group_id, location_means.mean_kc, location_means.n_eci, location_means.mean_coi,
        location_means.n_coi, group_sizes.n_activities
),

-- the group's activities as vectors, so that a location's row carries everything its cells need: the cells
-- are then unnested and read with no join (a join after the unnest would carry every list along)
activity_vectors as (
    select
        activity_weights.group_id,
        {{ ordered_list_agg('activity_weights.activity', 'activity_weights.position') }} as activities,
        {{ ordered_list_agg('activity_weights.ubiquity', 'activity_weights.position') }} as ubiquities,
        {{ ordered_list_agg('coalesce(activity_weights.column_sum, 0.0)', 'activity_weights.position') }} as column_sums,
        {{ ordered_list_agg('gain_totals.gain_total', 'activity_weights.position') }} as gain_totals,
        {{ ordered_list_agg('activity_weights.kp', 'activity_weights.position') }} as kps
    from activity_weights
    inner join gain_totals on gain_totals.group_id = activity_weights.group_id and gain_totals.position = activity_weights.position
    group by activity_weights.group_id
),

located as (
    select
        {% for column in group_columns %}group_keys.{{ column }},
        {% endfor -%}
        location_outlook.location,
        location_outlook.diversity,
        (location_outlook.kc - group_scales.mean_kc) / nullif(group_scales.sd_kc, 0) as eci,
        (location_outlook.raw_coi - group_scales.mean_coi) / nullif(group_scales.sd_coi, 0) as coi,
        group_scales.mean_kc,
        group_scales.sd_kc,
        location_outlook.presence_vector,
        location_outlook.related_sums,
        location_outlook.gain_sums,
        location_outlook.positions,
        {%- for column in passthrough_columns %}
        location_outlook.{{ column }}_values,
        {%- endfor %}
        activity_vectors.activities,
        activity_vectors.ubiquities,
        activity_vectors.column_sums,
        activity_vectors.gain_totals,
        activity_vectors.kps,
        group_sizes.n_activities
    from location_outlook
    inner join group_keys on group_keys.group_id = location_outlook.group_id
    inner join group_sizes on group_sizes.group_id = location_outlook.group_id
    inner join activity_vectors on activity_vectors.group_id = location_outlook.group_id
    left join group_scales on group_scales.group_id = location_outlook.group_id
),

pairs as (
    select
        {% for column in group_columns %}{{ column }},
        {% endfor -%}
        location,
        diversity,
        eci,
        coi,
        mean_kc,
        sd_kc,
        {{ list_element('activities', 'position') }} as activity,
        {{ list_element('ubiquities', 'position') }} as ubiquity,
        {{ list_element('column_sums', 'position') }} as column_sum,
        {{ list_element('gain_totals', 'position') }} as gain_total,
        {{ list_element('kps', 'position') }} as kp,
        {{ list_element('presence_vector', 'position') }} as presence_value,
        {{ list_element('related_sums', 'position') }} as related_sum,
        {{ list_element('gain_sums', 'position') }} as gain_sum
        {%- for column in passthrough_columns %},
        {{ list_lookup('positions', column ~ '_values', 'position') }} as {{ column }}
        {%- endfor %}
    from (
        select located.*, {{ unnest_list(list_positions('n_activities')) }} as position
        from located
    ) as unnested
)

select
    {% for column in group_columns %}{{ column }},
    {% endfor -%}
    location,
    activity,
    {%- for column in passthrough_columns %}
    {{ column }},
    {%- endfor %}
    presence_value = 1.0 as is_present,
    diversity,
    cast(ubiquity as integer) as ubiquity,
    case when column_sum > 0 then related_sum / column_sum end as density,
    eci,
    (kp - mean_kc) / nullif(sd_kc, 0) as pci,
    coi,
    case when column_sum > 0 then (1.0 - presence_value) * (gain_total - gain_sum) / nullif(sd_kc, 0) end as cog
from pairs
{%- endmacro %}
