{#- The versions of the snapshot `snap_traffic__arribos_expo_ctns` on Spark (macros/lake/history.sql): the same unique
    key and check columns as its definition in snapshots/ (keep them equal). -#}
{{ config(materialized='incremental', incremental_strategy='append', full_refresh=false) }}

{{ history_new_versions(ref('int_traffic__arribos_expo_ctns_current'), 'business_key', [
        'source_id', 'fecha', 'booking', 'cliente', 'cantidad', 'contenedor', 'precinto',
        'origen', 'obs', 'estado', 'chofer',
]) }}
