{#-
  Labels of int_industry_harmonised (SPEC section 3): at every level, a harmonised industry's label is the
  smallest latest-vintage code among its own members, or, for a group with no latest-vintage code, one of
  its members written '<vintage>:<code>'. Returns the groups whose label breaks that (for instance a coarser
  label cut from a finer one instead of taken from the group's own codes).
-#}
{% test harmonised_labels_are_member_codes(model) %}
with latest_vintage as (
    select max(vintage) as vintage from {{ model }}
),

groups as (
    select
        members.industry_digits,
        members.harmonised_code,
        min(case when members.vintage = latest_vintage.vintage then members.industry_code end) as smallest_latest,
        min(members.vintage || ':' || members.industry_code) as smallest_qualified
    from {{ model }} as members
    cross join latest_vintage
    group by members.industry_digits, members.harmonised_code
)

select *
from groups
where harmonised_code <> coalesce(smallest_latest, smallest_qualified)
{% endtest %}
