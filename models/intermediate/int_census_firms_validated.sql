-- Every census row's key with the first rule it breaks (reason is NULL for a good row). Rules: SPEC section 2.
-- rejected_firms and int_firms_accepted split this model, so accepted + rejected = raw by construction,
-- and the reconciliation mart checks it.
with firms as (
    select * from {{ ref('stg_census_firms') }}
),

known_industries as (
    select vintage, industry_code from {{ ref('int_industry_isic') }}
    union
    select '1994', code_1994 from {{ ref('stg_industry_concordance') }}
    union
    select '2002', code_2002 from {{ ref('stg_industry_concordance') }}
),

known_counties as (
    select distinct year, county_code from {{ ref('stg_regions') }} where year is not null
),

checked as (
    select
        firms.*,
        case
            when unparsed_columns <> '' then 'unparseable_number'
            when firm_id is null or county_code is null or industry_code is null
              or output is null or employment is null or total_assets is null then 'missing_value'
            when not {{ matches_pattern('county_code', '[0-9]{6}') }} then 'bad_county_code'
            when not {{ matches_pattern('industry_code', '[0-9]{4}') }} then 'bad_industry_code'
            when output < 0 or total_assets < 0 or employment < 0 then 'negative_value'
            when least(coalesce(state_share, 0), coalesce(collective_share, 0), coalesce(private_share, 0),
                       coalesce(hmt_share, 0), coalesce(foreign_share, 0)) < 0
              or greatest(coalesce(state_share, 0), coalesce(collective_share, 0), coalesce(private_share, 0),
                          coalesce(hmt_share, 0), coalesce(foreign_share, 0)) > 1 then 'share_out_of_range'
            when coalesce(state_share, 0) + coalesce(collective_share, 0) + coalesce(private_share, 0)
               + coalesce(hmt_share, 0) + coalesce(foreign_share, 0) > 1.01 then 'shares_sum_above_one'
            -- a code list exists for the vintage (industry_isic or concordance) and the code is not on it
            when exists (select 1 from known_industries k where k.vintage = firms.industry_vintage)
             and not exists (select 1 from known_industries k
                             where k.vintage = firms.industry_vintage and k.industry_code = firms.industry_code)
              then 'unknown_industry_code'
            -- the regions table lists the year's counties and the code is not among them
            when exists (select 1 from known_counties c where c.year = firms.census_year)
             and not exists (select 1 from known_counties c
                             where c.year = firms.census_year and c.county_code = firms.county_code)
              then 'unknown_county_code'
        end as row_reason
    from firms
),

-- A firm_id used twice in a year is ambiguous: every copy is rejected (we cannot tell which is right),
-- counting only copies that pass the other rules.
with_duplicates as (
    select
        *,
        case when row_reason is null
             then count(*) over (partition by census_year, firm_id, row_reason is null)
        end as n_same_id
    from checked
),

reasoned as (
    select
        *,
        coalesce(row_reason, case when n_same_id > 1 then 'duplicate_firm_id' end) as reject_reason
    from with_duplicates
)

-- Narrow on purpose: the key, the codes the harmonisation reads, and the verdict. Writing the typed census a
-- second time would cost more than checking it; int_firms_accepted and rejected_firms join back to staging.
select
    source_file,
    source_row,
    census_year,
    industry_vintage,
    county_code,
    industry_code,
    reject_reason,
    case reject_reason
        when 'unparseable_number' then 'not a finite number: ' || unparsed_columns
        when 'missing_value' then 'missing: ' || concat_ws(',',
            case when firm_id is null then 'firm_id' end, case when county_code is null then 'county_code' end,
            case when industry_code is null then 'industry_code' end, case when output is null then 'output' end,
            case when employment is null then 'employment' end,
            case when total_assets is null then 'total_assets' end)
        when 'bad_county_code' then 'county_code ' || county_code || ' is not 6 digits'
        when 'bad_industry_code' then 'industry_code ' || industry_code || ' is not 4 digits'
        when 'negative_value' then 'negative: ' || concat_ws(',',
            case when output < 0 then 'output' end, case when total_assets < 0 then 'total_assets' end,
            case when employment < 0 then 'employment' end)
        when 'share_out_of_range' then 'a share outside [0,1]'
        when 'shares_sum_above_one' then 'shares sum to ' || cast(round(coalesce(state_share, 0)
            + coalesce(collective_share, 0) + coalesce(private_share, 0) + coalesce(hmt_share, 0)
            + coalesce(foreign_share, 0), 4) as {{ dbt.type_string() }})
        when 'unknown_industry_code' then 'industry_code ' || industry_code || ' is not a CIC '
            || industry_vintage || ' code of industry_isic or industry_concordance'
        when 'unknown_county_code' then 'county_code ' || county_code || ' is not in regions for '
            || cast(census_year as {{ dbt.type_string() }})
        when 'duplicate_firm_id' then 'firm_id ' || firm_id || ' appears ' || cast(n_same_id as {{ dbt.type_string() }})
            || ' times in ' || cast(census_year as {{ dbt.type_string() }})
    end as reject_detail
from reasoned
