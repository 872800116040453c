{#-
  The harmonised labels are a fixed point of the labelling rule of int_industry_harmonised: within each
  harmonised industry, the label is the smallest code of the coarser side (fewer distinct codes; ties to
  the later vintage). Fails when two groups still collide after the model's merge rounds, and checks that
  every label is one of its own group's codes.
-#}
{% test harmonised_labels_are_stable(model) %}
with side_sizes as (
    select harmonised_code, vintage, count(distinct industry_code) as n_codes
    from {{ model }}
    group by harmonised_code, vintage
),

coarser_side as (
    select harmonised_code, vintage
    from (
        select harmonised_code, vintage,
               row_number() over (partition by harmonised_code order by n_codes, vintage desc) as side_rank
        from side_sizes
    ) as ranked
    where side_rank = 1
),

relabelled as (
    select members.harmonised_code, min(members.industry_code) as label
    from {{ model }} as members
    inner join coarser_side on coarser_side.harmonised_code = members.harmonised_code
        and coarser_side.vintage = members.vintage
    group by members.harmonised_code
)

select * from relabelled where label <> harmonised_code
{% endtest %}
