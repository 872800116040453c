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
  if there, is ignored. activity_classes (optional): proximity_group_columns, activity, class_key, where
  the activities of a class have the same proximity to every other activity (industries with the same
  product set): the location x activity products then run over classes,
    sum_p M(c,p) phi(p,q) = sum_s n(c,s) phi(s, class q) - M(c,q) phi(class q, class q),
  n(c,s) the number of the class's activities present in c (the last term takes phi(q,q) = 0 back out).
-#}
{% macro complexity_outlook(presence, eigenvectors, proximity, group_columns, proximity_group_columns,
                            location_column, activity_column, passthrough_columns=[], activity_classes=none) -%}
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

activity_list as (
    select group_id, activity, position, count(case when is_present then 1 end) as ubiquity
    from observed
    group by group_id, activity, position
),
{% if activity_classes is not none %}
class_keys as (
    select group_keys.group_id, classes.activity, classes.class_key
    from {{ activity_classes }} as classes
    inner join group_keys
        on {% for column in proximity_group_columns %}{{ null_safe_equals('group_keys.' ~ column, 'classes.' ~ column) }}{{ ' and ' if not loop.last }}{% endfor %}
),
{% endif %}
-- Activities in one class have the same proximity to every other activity (for industries: the same
-- product set, SPEC section 3), so the dense products below run over classes, not activities. Without
-- classes every activity is its own.
activities as (
    select
        activity_list.group_id,
        activity_list.activity,
        activity_list.position,
        activity_list.ubiquity,
        dense_rank() over (partition by activity_list.group_id order by
            {%- if activity_classes is not none %} coalesce(class_keys.class_key, '~' || activity_list.activity)
            {%- else %} activity_list.activity{% endif %}) as class_position
    from activity_list
    {%- if activity_classes is not none %}
    left join class_keys
        on class_keys.group_id = activity_list.group_id and class_keys.activity = activity_list.activity
    {%- endif %}
),

group_sizes as (
    select group_id, count(*) as n_activities, max(class_position) as n_classes
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

-- Per activity: g = kp / rowsum (COG's weight of an activity p) and w = kp / colsum (COI's weight of q);
-- 0 where the activity has no proximity or no PCI.
activity_weights as (
    select
        activities.group_id,
        activities.position,
        activities.class_position,
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

-- sum_p phi(p,q) g(p): COG of q for a location that has nothing
gain_totals as (
    select proximity.group_id, proximity.position_b as position, sum(proximity.proximity * activity_weights.gain_weight) as gain_total
    from proximity
    inner join activity_weights
        on activity_weights.group_id = proximity.group_id and activity_weights.position = proximity.position_a
    group by proximity.group_id, proximity.position_b
),

-- phi between classes (between two distinct members of one class on the diagonal; 0 for a class of one)
class_proximity as (
    select
        proximity.group_id,
        activity_a.class_position as class_a,
        activity_b.class_position as class_b,
        max(proximity.proximity) as proximity
    from proximity
    inner join activities as activity_a
        on activity_a.group_id = proximity.group_id and activity_a.position = proximity.position_a
    inner join activities as activity_b
        on activity_b.group_id = proximity.group_id and activity_b.position = proximity.position_b
    group by proximity.group_id, activity_a.class_position, activity_b.class_position
),

classes as (
    select distinct group_id, class_position
    from activities
),

-- each class's proximity column, dense over the group's classes: a location's sums over its present
-- activities, R(c,s) = sum_p M(c,p) phi(p,s) and G(c,s) = sum_p M(c,p) g(p) phi(p,s), are then one inner
-- product each with its class-count vectors
class_columns as (
    select
        column_class.group_id,
        column_class.class_position,
        {{ ordered_list_agg('coalesce(class_proximity.proximity, 0.0)', 'row_class.class_position') }} as proximity_column
    from classes as column_class
    inner join classes as row_class on row_class.group_id = column_class.group_id
    left join class_proximity
        on class_proximity.group_id = column_class.group_id
        and class_proximity.class_a = row_class.class_position
        and class_proximity.class_b = column_class.class_position
    group by column_class.group_id, column_class.class_position
),

matrices as (
    select group_id, {{ ordered_list_agg('proximity_column', 'class_position') }} as proximity_columns
    from class_columns
    group by group_id
),

-- the group's activities as vectors, so that a location's row carries everything its cells need: the cells
-- are then unnested and read with no join (a join after the unnest would carry every list along)
activity_vectors as (
    select
        activity_weights.group_id,
        {{ ordered_list_agg('activity_weights.activity', 'activity_weights.position') }} as activities,
        {{ ordered_list_agg('activity_weights.ubiquity', 'activity_weights.position') }} as ubiquities,
        {{ ordered_list_agg('activity_weights.class_position', 'activity_weights.position') }} as class_positions,
        {{ ordered_list_agg('coalesce(activity_weights.column_sum, 0.0)', 'activity_weights.position') }} as column_sums,
        {{ ordered_list_agg('coalesce(gain_totals.gain_total, 0.0)', 'activity_weights.position') }} as gain_totals,
        {{ ordered_list_agg('coalesce(class_proximity.proximity, 0.0)', 'activity_weights.position') }} as class_self_proximities,
        {{ ordered_list_agg('activity_weights.kp', 'activity_weights.position') }} as kps
    from activity_weights
    left join gain_totals
        on gain_totals.group_id = activity_weights.group_id and gain_totals.position = activity_weights.position
    left join class_proximity
        on class_proximity.group_id = activity_weights.group_id
        and class_proximity.class_a = activity_weights.class_position
        and class_proximity.class_b = activity_weights.class_position
    group by activity_weights.group_id
),

-- each location's observed cells as aligned lists (positions, passthrough values)
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

-- and its present activities: positions, classes, COI weights
present_cells as (
    select
        observed.group_id,
        observed.location,
        {{ list_agg('observed.position') }} as present_positions,
        {{ list_agg('activity_weights.class_position') }} as present_classes,
        {{ list_agg('activity_weights.outlook_weight') }} as present_outlook_weights,
        {{ list_agg('cast(1.0 as double)') }} as ones
    from observed
    inner join activity_weights
        on activity_weights.group_id = observed.group_id and activity_weights.position = observed.position
    where observed.is_present
    group by observed.group_id, observed.location
),

-- how many of a location's present activities fall in each class, and the sum of their g
present_class_counts as (
    select
        observed.group_id,
        observed.location,
        activity_weights.class_position,
        cast(count(*) as double) as n_present,
        sum(activity_weights.gain_weight) as gain_weight_sum
    from observed
    inner join activity_weights
        on activity_weights.group_id = observed.group_id and activity_weights.position = observed.position
    where observed.is_present
    group by observed.group_id, observed.location, activity_weights.class_position
),

class_vectors as (
    select
        slotted.group_id,
        slotted.location,
        {{ dense_values('slotted.counts', 'slotted.slots') }} as count_vector,
        {{ dense_values('slotted.gain_sums', 'slotted.slots') }} as weighted_vector
    from (
        select
            counted.group_id, counted.location, counted.counts, counted.gain_sums,
            {{ dense_slots('counted.class_positions', 'group_sizes.n_classes') }} as slots
        from (
            select group_id, location,
                {{ list_agg('class_position') }} as class_positions,
                {{ list_agg('n_present') }} as counts,
                {{ list_agg('gain_weight_sum') }} as gain_sums
            from present_class_counts
            group by group_id, location
        ) as counted
        inner join group_sizes on group_sizes.group_id = counted.group_id
    ) as slotted
),

-- every location, with zero class vectors where nothing is present
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
        present_cells.present_positions,
        present_cells.present_classes,
        present_cells.present_outlook_weights,
        present_cells.ones,
        coalesce(class_vectors.count_vector, {{ list_map(list_positions('group_sizes.n_classes'), 'k', 'cast(0.0 as double)') }}) as count_vector,
        coalesce(class_vectors.weighted_vector, {{ list_map(list_positions('group_sizes.n_classes'), 'k', 'cast(0.0 as double)') }}) as weighted_vector
    from location_cells
    inner join group_sizes on group_sizes.group_id = location_cells.group_id
    inner join locations on locations.group_id = location_cells.group_id and locations.location = location_cells.location
    left join present_cells
        on present_cells.group_id = location_cells.group_id and present_cells.location = location_cells.location
    left join class_vectors
        on class_vectors.group_id = location_cells.group_id and class_vectors.location = location_cells.location
    left join location_complexity
        on location_complexity.group_id = location_cells.group_id and location_complexity.location = location_cells.location
),

-- One row per group holding all its locations' vectors, so that each group's class matrix meets them once
-- (a join of the matrix to every location row would copy it to each).
{%- set location_lists = ['location', 'diversity', 'kc', 'positions', 'present_positions', 'present_classes',
                          'present_outlook_weights', 'ones', 'count_vector', 'weighted_vector'] %}
{%- for column in passthrough_columns %}{% do location_lists.append(column ~ '_values') %}{% endfor %}
group_location_vectors as (
    select
        group_id
        {%- for column in location_lists %},
        {{ list_agg(column) }} as {{ column }}
        {%- endfor %}
    from location_vectors
    group by group_id
),

group_sums as (
    select
        group_location_vectors.*,
        {{ list_map('group_location_vectors.count_vector', 'count_row',
                    list_map('matrices.proximity_columns', 'proximity_column',
                             list_inner_product('count_row', 'proximity_column'))) }} as related_sums,
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

-- per class: the sum of its activities' COI weights w = kp / colsum
weight_vectors as (
    select
        group_id,
        {{ ordered_list_agg('outlook_weight', 'class_position') }} as class_outlook_weights,
        max(case when has_kp then 1 else 0 end) = 1 as has_outlook
    from (
        select group_id, class_position, sum(outlook_weight) as outlook_weight, count(kp) > 0 as has_kp
        from activity_weights
        group by group_id, class_position
    ) as per_class
    group by group_id
),

-- COI before standardisation: sum_q density(c,q) (1 - M(c,q)) kp(q) = sum_q (1 - M(c,q)) R(c, class q) w(q)
-- (the correction for phi(q,q) = 0 vanishes where M(c,q) = 0): over all q, less the present ones
location_outlook as (
    select
        location_sums.*,
        case when weight_vectors.has_outlook then
            {{ list_inner_product('location_sums.related_sums', 'weight_vectors.class_outlook_weights') }}
            - coalesce({{ list_inner_product(list_gather('location_sums.related_sums', 'location_sums.present_classes'),
                                             'location_sums.present_outlook_weights') }}, 0.0)
        end as raw_coi
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
        location_outlook.positions,
        location_outlook.present_positions,
        location_outlook.ones,
        location_outlook.related_sums,
        location_outlook.gain_sums,
        {%- for column in passthrough_columns %}
        location_outlook.{{ column }}_values,
        {%- endfor %}
        activity_vectors.activities,
        activity_vectors.ubiquities,
        activity_vectors.class_positions,
        activity_vectors.column_sums,
        activity_vectors.gain_totals,
        activity_vectors.class_self_proximities,
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
        {{ list_element('class_self_proximities', 'position') }} as class_self_proximity,
        coalesce({{ list_lookup('present_positions', 'ones', 'position') }}, 0.0) as presence_value,
        {{ list_element('related_sums', list_element('class_positions', 'position')) }} as class_related_sum,
        {{ list_element('gain_sums', list_element('class_positions', 'position')) }} as class_gain_sum
        {%- for column in passthrough_columns %},
        {{ list_lookup('positions', column ~ '_values', 'position') }} as {{ column }}
        {%- endfor %}
    from (
        select located.*, {{ unnest_list(list_positions('n_activities')) }} as position
        from located
    ) as unnested
)

-- density: R(c, class q) less phi(q,q)'s share, 0 by convention, which the class sum counted when M(c,q) = 1;
-- COG: for M(c,q) = 0 that correction is nil, and COG is 0 where M(c,q) = 1
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
    case when column_sum > 0 then (class_related_sum - presence_value * class_self_proximity) / column_sum end as density,
    eci,
    (kp - mean_kc) / nullif(sd_kc, 0) as pci,
    coi,
    case when column_sum > 0 then (1.0 - presence_value) * (gain_total - class_gain_sum) / nullif(sd_kc, 0) end as cog
from pairs
{%- endmacro %}
