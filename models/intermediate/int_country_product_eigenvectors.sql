-- ECI and PCI eigenvectors of each year of world_trade, before standardisation (SPEC section 11): the
-- eigenvector method and its conventions are in macros/complexity/complexity_eigenvectors.sql.
-- Presence M = RCA > var rca_threshold, as int_product_rca_by_year computes it.
{{ complexity_eigenvectors(ref('int_product_rca_by_year'), ['year'], 'country', 'product') }}
