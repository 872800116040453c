-- Relatedness and complexity of every country x product of each year of world_trade (SPEC section 11), with
-- the conventions of Stata `ecomplexity` (macros/complexity/complexity_outlook.sql): the rectangle of the
-- countries and products with positive exports that year, as Stata fills it in (export_value and RCA 0
-- where a country does not export a product). Density, COI and COG use the year's own product proximity
-- (min of the two conditional probabilities, int_product_proximity_by_year) with phi(p,p) = 0, as
-- `ecomplexity` computes it from the same M; the averaged product_proximity mart is not used here.
with trade as (
    select year, country, product, export_value, rca, is_present
    from {{ ref('int_product_rca_by_year') }}
    -- Stata drops a pair's row from the computation when the country's or the product's total is 0
    where export_value > 0
),

proximity as (
    select year, product_a as activity_a, product_b as activity_b, proximity
    from {{ ref('int_product_proximity_by_year') }}
),

complexity as (
    {{ complexity_outlook(
        presence='trade',
        eigenvectors=ref('int_country_product_eigenvectors'),
        proximity='proximity',
        group_columns=['year'],
        proximity_group_columns=['year'],
        location_column='country',
        activity_column='product',
        passthrough_columns=['export_value', 'rca']) | indent(4) }}
)

select
    year,
    location as country,
    activity as product,
    coalesce(export_value, 0.0) as export_value,
    coalesce(rca, 0.0) as rca,
    is_present,
    diversity,
    ubiquity,
    density,
    eci,
    pci,
    coi,
    cog
from complexity
