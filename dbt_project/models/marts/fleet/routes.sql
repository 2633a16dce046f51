{#- One row per plate and local day (America/Sao_Paulo): the columns users query of
    `int_fleet__routes_daily`, which keeps the bookkeeping of its incremental run. -#}
{{ config(materialized='table') }}

with

routes_daily as (

    select * from {{ ref('int_fleet__routes_daily') }}

),

final as (

    select
        route_id,
        placa,
        rota_date,
        start_ts,
        end_ts,
        point_count,
        distance_km,
        duration_minutes,
        moving_minutes,
        stop_count,
        max_speed_kmh,
        avg_moving_speed_kmh,
        excluded_points
    from routes_daily

)

select * from final
