-- CIC -> ISIC Rev.3 links by vintage. The reference table wins; for vintage 2002 the committed seed
-- (cic2002_isic3, authored for this project since no public table exists) fills in when the reference
-- table has no 2002 rows, so real data need only bring a 1994 table, if any.
with reference as (
    select vintage, industry_code, isic_code, 'reference' as link_source
    from {{ ref('stg_industry_isic') }}
),

seed as (
    select '2002' as vintage, industry_code, isic_code, 'seed cic2002_isic3' as link_source
    from {{ ref('cic2002_isic3') }}
    where not exists (select 1 from reference where vintage = '2002')
)

select * from reference
union all
select * from seed
