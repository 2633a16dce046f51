{{ config(materialized='incremental', unique_key='event_id', on_schema_change='append_new_columns') }}

{#- An incremental run computes only the events of the snapshot versions from the last instant the
    log holds on (macro `traffic_sync_events`), not every version again; `--full-refresh` all. -#}
{%- set log = this if is_incremental() else none %}

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

    {{ traffic_sync_events('arribos_versions', 'traficov2_arribos', 'arribos', log) }}

),

pendiente as (

    {{ traffic_sync_events('pendiente_versions', 'traficov2_pendiente_desconsolidar', 'pendiente_desconsolidar', log) }}

),

remisiones as (

    {{ traffic_sync_events('remisiones_versions', 'traficov2_remisiones', 'remisiones', log) }}

),

expo as (

    {{ traffic_sync_events('expo_versions', 'traficov2_arribos_ctns_expo', 'arribos_expo_ctns', log) }}

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
        -- the last logged instant's events are computed again (equal timestamps): an anti-join
        -- (hashable on every engine), not `not in`, keeps only the events not logged yet
        where not exists (
            select 1 from {{ this }} as done
            where done.event_id = events.event_id
        )
    {%- endif %}

)

select * from final
