{#- One row per plate and local day (America/Sao_Paulo) with route metrics over the valid points.
    A stop is a run of consecutive stopped points (ignition off or speed 0) lasting at least
    `fleet_min_stop_minutes`, measured from its first point to the next moving point (or to its last
    point when the day ends stopped). A segment is moving when the point it starts from is not
    stopped. Incremental: only plate-days with newer positions are recomputed. -#}
{{
    config(
        materialized='incremental',
        unique_key=['placa', 'rota_date'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

with

route_points as (

    select * from {{ ref('int_fleet__route_points') }}

),

touched as (

    select distinct
        placa,
        rota_date
    from route_points
    {%- if is_incremental() %}
    where _dlt_load_id > (select coalesce(max(done._max_load_id), '') from {{ this }} as done)
    {%- endif %}

),

day_points as (

    select route_points.*
    from route_points
    inner join touched
        on route_points.placa = touched.placa and route_points.rota_date = touched.rota_date

),

valid_points as (

    select
        *,
        lead(data_transmissao) over by_seq as next_ts,
        case
            when lag(is_stopped) over by_seq is null or lag(is_stopped) over by_seq <> is_stopped
                then 1
            else 0
        end as starts_run
    from day_points
    where is_valid
    window by_seq as (partition by placa, rota_date order by point_seq)

),

runs as (

    select
        *,
        sum(starts_run) over (
            partition by placa, rota_date order by point_seq rows unbounded preceding
        ) as run_number
    from valid_points

),

stops as (

    select
        placa,
        rota_date,
        run_number,
        min(data_transmissao) as stop_start,
        max(coalesce(next_ts, data_transmissao)) as stop_end
    from runs
    where is_stopped
    group by placa, rota_date, run_number

),

stop_counts as (

    select
        placa,
        rota_date,
        count(*) as stop_count
    from stops
    where {{ fleet_seconds_between('stop_start', 'stop_end') }} >= {{ var('fleet_min_stop_minutes') }} * 60
    group by placa, rota_date

),

day_metrics as (

    select
        placa,
        rota_date,
        min(case when is_valid then data_transmissao end) as start_ts,
        max(case when is_valid then data_transmissao end) as end_ts,
        {{ count_where('is_valid') }} as point_count,
        coalesce(sum(case when is_valid then segment_km end), 0) as distance_km,
        coalesce(sum(case when is_valid and not previous_is_stopped then segment_seconds end), 0)
            as moving_seconds,
        sum(case when is_valid and not previous_is_stopped then segment_km end) as moving_km,
        max(case when is_valid then velocidade end) as max_speed_kmh,
        {{ count_where('not is_valid') }} as excluded_points,
        max(_dlt_load_id) as _max_load_id
    from day_points
    group by placa, rota_date

),

final as (

    select
        {{ dbt.concat(['day_metrics.placa', "'|'", dbt.cast('day_metrics.rota_date', dbt.type_string())]) }}
            as route_id,
        day_metrics.placa,
        day_metrics.rota_date,
        day_metrics.start_ts,
        day_metrics.end_ts,
        cast(day_metrics.point_count as {{ dbt.type_bigint() }}) as point_count,
        cast(day_metrics.distance_km as {{ fleet_type_double() }}) as distance_km,
        cast(
            coalesce({{ fleet_seconds_between('day_metrics.start_ts', 'day_metrics.end_ts') }}, 0) / 60
            as {{ fleet_type_double() }}
        ) as duration_minutes,
        cast(day_metrics.moving_seconds / 60 as {{ fleet_type_double() }}) as moving_minutes,
        cast(coalesce(stop_counts.stop_count, 0) as {{ dbt.type_bigint() }}) as stop_count,
        cast(day_metrics.max_speed_kmh as {{ fleet_type_double() }}) as max_speed_kmh,
        cast(
            case
                when day_metrics.moving_seconds > 0
                    then day_metrics.moving_km / (day_metrics.moving_seconds / 3600)
            end as {{ fleet_type_double() }}
        ) as avg_moving_speed_kmh,
        cast(day_metrics.excluded_points as {{ dbt.type_bigint() }}) as excluded_points,
        day_metrics._max_load_id,
        {{ dbt.cast(dbt.string_literal(run_started_at.isoformat()), api.Column.translate_type('timestamp')) }}
            as _computed_at
    from day_metrics
    left join stop_counts
        on day_metrics.placa = stop_counts.placa and day_metrics.rota_date = stop_counts.rota_date

)

select * from final
