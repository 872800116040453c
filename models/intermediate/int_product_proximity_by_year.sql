-- Hausmann-Klinger product proximity for each year of world_trade (SPEC section 3):
-- phi(p,q) = co-occurrence(p,q) / max(ubiquity p, ubiquity q), the smaller of the two conditional
-- probabilities P(M_q = 1 | M_p = 1) and P(M_p = 1 | M_q = 1).
with presence as (
    select year, coalesce(year, -1) as period, country, product
    from {{ ref('int_product_rca_by_year') }}
    where is_present
),

ubiquity as (
    select period, max(year) as year, product, count(*) as ubiquity
    from presence
    group by period, product
),

-- only pairs sharing at least one country come out of the join (the rest get 0 below), and only with
-- product_a <= product_b: the join is the costly step (on the real table, ~3 million rows for ~124k trade
-- rows), and the count is symmetric, so half of it is mirrored rather than recomputed
co_occurrence as (
    select
        presence_a.period,
        presence_a.product as product_a,
        presence_b.product as product_b,
        count(*) as co_occurrence
    from presence as presence_a
    inner join presence as presence_b
        on presence_b.period = presence_a.period
        and presence_b.country = presence_a.country
        and presence_a.product <= presence_b.product
    group by presence_a.period, presence_a.product, presence_b.product
),

-- every pair of products present in the year (products nobody exports with RCA above the threshold are
-- not in ubiquity, hence dropped), the diagonal included; product_a <= product_b here, mirrored below
pairs as (
    select
        ubiquity_a.period,
        ubiquity_a.year,
        ubiquity_a.product as product_a,
        ubiquity_b.product as product_b,
        ubiquity_a.ubiquity as ubiquity_a,
        ubiquity_b.ubiquity as ubiquity_b
    from ubiquity as ubiquity_a
    inner join ubiquity as ubiquity_b
        on ubiquity_b.period = ubiquity_a.period and ubiquity_a.product <= ubiquity_b.product
),

half as (
    select
        pairs.year,
        pairs.product_a,
        pairs.product_b,
        pairs.ubiquity_a,
        pairs.ubiquity_b,
        coalesce(co_occurrence.co_occurrence, 0) as co_occurrence,
        -- integer counts: exactly 1 on the diagonal
        cast(coalesce(co_occurrence.co_occurrence, 0) as double)
            / greatest(pairs.ubiquity_a, pairs.ubiquity_b) as proximity
    from pairs
    left join co_occurrence
        on co_occurrence.period = pairs.period
        and co_occurrence.product_a = pairs.product_a
        and co_occurrence.product_b = pairs.product_b
)

select year, product_a, product_b, ubiquity_a, ubiquity_b, co_occurrence, proximity
from half
union all
select year, product_b as product_a, product_a as product_b, ubiquity_b as ubiquity_a, ubiquity_a as ubiquity_b,
    co_occurrence, proximity
from half
where product_a <> product_b
