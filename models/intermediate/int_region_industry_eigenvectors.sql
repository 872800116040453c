-- Region ECI and industry PCI eigenvectors for every census year x region level x industry digits, before
-- standardisation (SPEC section 11); the method and its conventions are in
-- macros/complexity/complexity_eigenvectors.sql. Presence: int_region_industry_presence.
{{ complexity_eigenvectors(ref('int_region_industry_presence'), ['year', 'region_level', 'industry_digits'],
                           'region_code', 'industry_code') }}
