-- The firm panel of the paper's Tables 7, 9 and 10: one row per matched firm and census year, with every
-- regression variable of SPEC section 3 and the proximity of its harmonised county-year. Ratios are NULL
-- when the denominator is <= 0 or beyond their cap var; logs are NULL for values <= 0.

with matches as (

    select panel_id, year_from, year_to, firm_id_from, firm_id_to, match_method
    from {{ ref('int_firm_matches') }}

),

panel_rows as (

    select panel_id, firm_id_from as firm_id, year_from as year, year_to, match_method from matches
    union all
    select panel_id, firm_id_to as firm_id, year_to as year, year_to, match_method from matches

),

firms as (

    select
        p.panel_id,
        p.year_to,
        p.match_method,
        f.*
    from panel_rows as p
    inner join {{ ref('int_firms_harmonised') }} as f
        on f.census_year = p.year and f.firm_id = p.firm_id

),

-- Table 9's firm scale as the paper's text defines it: the firm's revenue over the average revenue of its
-- (harmonised 4-digit) industry that year, over every census firm of the industry reporting sales
industry_sales as (

    select census_year, harmonised_industry_code, avg(sales) as mean_sales
    from {{ ref('int_firms_harmonised') }}
    where sales is not null
    group by census_year, harmonised_industry_code

)

select
    -- ids
    f.panel_id,
    f.firm_id,
    f.census_year as year,
    f.harmonised_county_code as county_code,
    -- the firm's region at the coarser levels (robustness runs with prefecture and province proximity)
    f.prefecture_code,
    f.province_code,
    f.harmonised_industry_code as industry_code,
    f.match_method,

    -- firm characteristics
    -- clamped into var firm_age_range (default 0-99, the paper's range): a founding year after the census
    -- year gives 0, an age above 99 is 99 (greatest/least skip NULLs, hence the explicit case)
    case when f.founding_year is not null
         then least({{ var('firm_age_range')[1] }}, greatest({{ var('firm_age_range')[0] }},
                                                            f.census_year - f.founding_year)) end as firm_age,
    {{ log_positive('f.sales') }} as log_sales,
    case when industry_sales.mean_sales > 0 then f.sales / industry_sales.mean_sales end as sales_relative_to_industry,
    {{ capped_ratio('f.total_debt', 'f.total_assets', var('cap_debt_asset')) }} as debt_asset,
    {{ capped_ratio('f.fixed_assets', 'f.total_assets', var('cap_fixed_asset'), inclusive=true) }} as fixed_asset_asset,
    {{ capped_ratio('f.accounts_receivable', 'f.sales', var('cap_ar_sales')) }} as accounts_receivable_revenue,
    {{ capped_ratio('f.accounts_payable', 'f.total_debt', var('cap_ap_debt')) }} as accounts_payable_total_debt,
    {{ capped_ratio('f.export_value', 'f.sales', var('cap_export_sales'), inclusive=true) }} as export_sales,
    case when f.export_value is null then null when f.export_value > 0 then 1 else 0 end as exporter,
    {{ log_positive('f.employment') }} as log_labor,
    {{ log_positive('f.total_assets') }} as log_asset,
    -- VA2: output approach; VA1: the paper's "weighted average" of the output and income approaches, read
    -- as their mean (equal weights), where both are positive
    {{ log_positive('f.value_added') }} as log_value_added,
    case when f.value_added > 0 and f.value_added_income > 0
         then ln((f.value_added + f.value_added_income) / 2.0) end as log_value_added1,

    -- ownership shares of paid-in capital
    f.state_share,
    f.collective_share,
    f.private_share,
    f.hmt_share,
    f.foreign_share as other_foreign_share,

    case when f.census_year = f.year_to then 1 else 0 end as year04,

    -- cluster measures of the firm's harmonised county in this census year
    cp.proximity_output,
    cp.proximity_employment,
    cp.proximity_asset
from firms as f
left join {{ ref('county_proximity') }} as cp
    on cp.county_code = f.harmonised_county_code and cp.year = f.census_year
left join industry_sales
    on industry_sales.census_year = f.census_year
   and industry_sales.harmonised_industry_code = f.harmonised_industry_code
