-- Relatedness and complexity of every region x industry, per census year, region level and industry digits
-- (SPEC section 11), with the conventions of Stata `ecomplexity` (macros/complexity/complexity_outlook.sql):
-- the rectangle of the regions and industries with a positive size that year (size and LQ 0 where a region
-- has no firm of an industry). Relatedness density runs over the industry proximity of the harmonised
-- industries at the same digits (industry_proximity, phi(i,i) = 0); an industry with no traded product has
-- no proximity, hence NULL density and COG, but it counts in the location quotients, ECI and PCI.
with presence as (
    select year, region_level, region_code, industry_digits, industry_code, weight, size, location_quotient,
        is_present
    from {{ ref('int_region_industry_presence') }}
),

proximity as (
    select industry_digits, industry_a as activity_a, industry_b as activity_b, proximity
    from {{ ref('industry_proximity') }}
    where classification = 'harmonised'
),

complexity as (
    {{ complexity_outlook(
        presence='presence',
        eigenvectors=ref('int_region_industry_eigenvectors'),
        proximity='proximity',
        group_columns=['year', 'region_level', 'industry_digits'],
        proximity_group_columns=['industry_digits'],
        location_column='region_code',
        activity_column='industry_code',
        passthrough_columns=['size', 'location_quotient']) | indent(4) }}
)

select
    year,
    region_level,
    location as region_code,
    cast(industry_digits as integer) as industry_digits,
    activity as industry_code,
    '{{ var('complexity_weight', 'output') }}' as weight,
    coalesce(size, 0.0) as size,
    coalesce(location_quotient, 0.0) as location_quotient,
    is_present,
    diversity,
    ubiquity,
    density,
    eci,
    pci,
    coi,
    cog
from complexity
