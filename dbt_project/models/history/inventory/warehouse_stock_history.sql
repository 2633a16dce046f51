{#- The snapshot `warehouse_stock_history` on Spark: the versions of `hist_inventory__warehouse_stock`
    with their `dbt_valid_to`. -#}
{{ history_versions(ref('hist_inventory__warehouse_stock'), ['product_id', 'warehouse_id', 'lot_number'], 'invalidate') }}
