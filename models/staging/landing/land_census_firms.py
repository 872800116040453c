def model(dbt, session):
    from cluster_finance.ingest import land_census_firms

    meta = dbt.config.get("meta")
    return land_census_firms(meta["raw_dir"], meta["csv_encoding"], meta["industry_vintage_by_year"])
