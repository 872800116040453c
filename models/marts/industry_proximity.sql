-- Industry proximity phi(a,b) = sum_p sum_q w(a,p) w(b,q) phi(p,q) (SPEC section 3), for every
-- classification (each CIC vintage, and the harmonised industries) and 4, 3 and 2 digits. Only industries
-- with at least one product take part.
--
-- Why the detour through product sets: phi(a,b) depends only on the two industries' product sets (weights
-- are uniform over a set), and many industries share one (several CIC classes map to one ISIC class; a
-- 3-digit group with one child; harmonised = vintage codes where the concordance is 1:1). On the real
-- chain 1,456 industries have 218 distinct sets, so the dense part, t(s,q) = sum_p w(s,p) phi(p,q), is
-- computed per set, then sum_q t(s,q) w(s',q) per pair of sets, and only then spread back to industry
-- pairs. Computed once per unordered industry pair and mirrored, so (a,b) and (b,a) are exactly equal.
with weights as (
    select classification, industry_digits, industry_code, product, weight
    from {{ ref('int_industry_products') }}
),

product_space as (
    select product_a, product_b, proximity
    from {{ ref('product_proximity') }}
),

industry_signatures as (
    select
        classification,
        industry_digits,
        industry_code,
        {{ ordered_string_agg('product') }} as product_signature
    from weights
    group by classification, industry_digits, industry_code
),

product_sets as (
    select product_signature, dense_rank() over (order by product_signature) as set_id
    from (select distinct product_signature from industry_signatures) as signatures
),

industries as (
    select
        industry_signatures.classification,
        industry_signatures.industry_digits,
        industry_signatures.industry_code,
        product_sets.set_id
    from industry_signatures
    inner join product_sets on product_sets.product_signature = industry_signatures.product_signature
),

-- identical sets carry identical weights (1/n), so distinct collapses the industries of a set into one
set_weights as (
    select distinct industries.set_id, weights.product, weights.weight
    from weights
    inner join industries
        on industries.classification = weights.classification
        and industries.industry_digits = weights.industry_digits
        and industries.industry_code = weights.industry_code
),

spread as (
    select
        set_weights.set_id,
        product_space.product_b as product,
        sum(set_weights.weight * product_space.proximity) as spread_proximity
    from set_weights
    inner join product_space on product_space.product_a = set_weights.product
    group by set_weights.set_id, product_space.product_b
),

set_proximity as (
    select
        spread.set_id as set_a,
        set_weights.set_id as set_b,
        sum(spread.spread_proximity * set_weights.weight) as proximity
    from spread
    inner join set_weights on set_weights.product = spread.product
    group by spread.set_id, set_weights.set_id
),

-- every pair of industries with products; a pair of sets with no product pair in the product space
-- (possible only with several trade years, two products never present in the same year) counts 0
pairs as (
    select
        industry_a.classification,
        industry_a.industry_digits,
        industry_a.industry_code as industry_a,
        industry_b.industry_code as industry_b,
        coalesce(set_proximity.proximity, 0.0) as proximity
    from industries as industry_a
    inner join industries as industry_b
        on industry_b.classification = industry_a.classification
        and industry_b.industry_digits = industry_a.industry_digits
        and industry_a.industry_code < industry_b.industry_code
    left join set_proximity
        on set_proximity.set_a = industry_a.set_id and set_proximity.set_b = industry_b.set_id
)

select classification, industry_digits, industry_a, industry_b, proximity from pairs
union all
select classification, industry_digits, industry_b as industry_a, industry_a as industry_b, proximity from pairs
