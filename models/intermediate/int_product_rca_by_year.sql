-- Balassa revealed comparative advantage per year x country x product, and presence M (SPEC section 3).
with trade as (
    select
        year,
        -- a table without a year column is one period; the sentinel only serves the joins below
        coalesce(year, -1) as period,
        country,
        product,
        export_value
    from {{ ref('stg_world_trade') }}
),

country_totals as (
    select period, country, sum(export_value) as country_exports
    from trade
    group by period, country
),

product_totals as (
    select period, product, sum(export_value) as product_exports
    from trade
    group by period, product
),

world_totals as (
    select period, sum(export_value) as world_exports
    from trade
    group by period
),

rca as (
    select
        trade.year,
        trade.country,
        trade.product,
        trade.export_value,
        -- nullif: a country with no exports, or a product nobody exports, has no RCA (DuckDB would
        -- otherwise give NaN or infinity, and NaN > 1 is true there)
        (trade.export_value / nullif(country_totals.country_exports, 0))
            / nullif(product_totals.product_exports / nullif(world_totals.world_exports, 0), 0) as rca
    from trade
    inner join country_totals
        on country_totals.period = trade.period and country_totals.country = trade.country
    inner join product_totals
        on product_totals.period = trade.period and product_totals.product = trade.product
    inner join world_totals
        on world_totals.period = trade.period
)

select
    year,
    country,
    product,
    export_value,
    rca,
    coalesce(rca > {{ var('rca_threshold') }}, false) as is_present
from rca
