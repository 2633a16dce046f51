{{ config(materialized='incremental', unique_key='event_id', on_schema_change='append_new_columns') }}

with

arribos_versions as (

    select * from {{ ref('snap_traffic__arribos') }}

),

pendiente_versions as (

    select * from {{ ref('snap_traffic__pendiente_desconsolidar') }}

),

remisiones_versions as (

    select * from {{ ref('snap_traffic__remisiones') }}

),

expo_versions as (

    select * from {{ ref('snap_traffic__arribos_expo_ctns') }}

),

arribos as (

    {{ traffic_sync_events('arribos_versions', 'traficov2_arribos', 'arribos') }}

),

pendiente as (

    {{ traffic_sync_events('pendiente_versions', 'traficov2_pendiente_desconsolidar', 'pendiente_desconsolidar') }}

),

remisiones as (

    {{ traffic_sync_events('remisiones_versions', 'traficov2_remisiones', 'remisiones') }}

),

expo as (

    {{ traffic_sync_events('expo_versions', 'traficov2_arribos_ctns_expo', 'arribos_expo_ctns') }}

),

events as (

    select * from arribos
    union all
    select * from pendiente
    union all
    select * from remisiones
    union all
    select * from expo

),

final as (

    select
        event_id,
        table_name,
        operation,
        source_table,
        source_id,
        target_id,
        sync_timestamp,
        cast(details_text as {{ type_json() }}) as details

    from events
    {% if is_incremental() -%}
        -- an anti-join (hashable on every engine), not `not in`: only events not logged yet
        where not exists (
            select 1 from {{ this }} as done
            where done.event_id = events.event_id
        )
    {%- endif %}

)

select * from final
