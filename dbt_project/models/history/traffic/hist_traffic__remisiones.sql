{#- The versions of the snapshot `snap_traffic__remisiones` on Spark (macros/lake/history.sql): the same unique
    key and check columns as its definition in snapshots/ (keep them equal). -#}
{{ config(materialized='incremental', incremental_strategy='append', full_refresh=false) }}

{{ history_new_versions(ref('int_traffic__remisiones_current'), 'business_key', [
        'source_id', 'dia', 'cliente', 'operacion', 'booking', 'contenedor', 'volumen',
        'precinto', 'observaciones', 'estado', 'hora', 'e_tally', 'chofer', 'fecha_y_hora_fin',
]) }}
