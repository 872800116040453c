-- The product space: Hausmann-Klinger proximity averaged over the years in which the pair exists (both
-- products present that year), as HK averaged 1998-2000. Averaged once per unordered pair and mirrored,
-- so that (a,b) and (b,a) are bit-for-bit equal whatever order the engine sums in.
with by_year as (
    select product_a, product_b, proximity
    from {{ ref('int_product_proximity_by_year') }}
    where product_a <= product_b
),

averaged as (
    select product_a, product_b, avg(proximity) as proximity
    from by_year
    group by product_a, product_b
)

select product_a, product_b, proximity from averaged
union all
select product_b as product_a, product_a as product_b, proximity from averaged
where product_a <> product_b
