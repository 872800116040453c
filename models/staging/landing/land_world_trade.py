def model(dbt, session):
    from cluster_finance.ingest import land_reference

    meta = dbt.config.get("meta")
    return land_reference(meta["reference_dir"], "world_trade", meta["csv_encoding"])
