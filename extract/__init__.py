"""logistics-elt: extraction (dlt) and orchestration (dbt) for four logistics source systems."""
