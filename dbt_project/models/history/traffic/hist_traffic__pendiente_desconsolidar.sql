{#- The versions of the snapshot `snap_traffic__pendiente_desconsolidar` on Spark (macros/lake/history.sql): the same unique
    key and check columns as its definition in snapshots/ (keep them equal). -#}
{{ config(materialized='incremental', incremental_strategy='append', full_refresh=false) }}

{{ history_new_versions(ref('int_traffic__pendiente_desconsolidar_current'), 'business_key', [
        'source_id', 'contenedor', 'cliente', 'entrega', 'vto_vacio', 'tipo', 'peso', 'cantidad',
        'envase', 'estado', 'chofer',
]) }}
