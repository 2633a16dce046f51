{#- The versions of the snapshot `warehouse_stock_history` on Spark (macros/lake/history.sql): the same unique
    key and check columns as its definition in snapshots/ (keep them equal). -#}
{{ config(materialized='incremental', incremental_strategy='append', full_refresh=false) }}

{{ history_new_versions(ref('warehouse_stock'), ['product_id', 'warehouse_id', 'lot_number'], [
        'quantity', 'expiration_date',
]) }}
