{#- One row per plate and local day (America/Sao_Paulo) with route metrics over the valid points.
    A stop is a run of consecutive stopped points (ignition off or speed 0) lasting at least
    `fleet_min_stop_minutes`, measured from its first point to the next moving point (or to its last
    point when the day ends stopped). A segment is moving when the point it starts from is not
    stopped. Incremental (`touched_partitions`): only plate-days with newer positions are recomputed. -#}
{{
    config(
        materialized='incremental',
        unique_key=['placa', 'rota_date'],
        incremental_strategy=partition_strategy(),
        partition_by=partition_columns(['rota_date']),
        on_schema_change='fail',
    )
}}

with

route_points as (

    select * from {{ ref('int_fleet__route_points') }}

),

{# Touched plate-days looked up in the model itself, not in the CTE: a CTE referenced twice is
    materialised whole by PostgreSQL. #}
day_points as (

    select * from route_points
    {{- where_touched(ref('int_fleet__route_points'), rewrite_grain(['placa', 'rota_date'], ['rota_date'])) }}

),

{# Windows over the valid points only (partitioned by is_valid too, so no self-join). #}
sequenced as (

    select
        *,
        lead(data_transmissao) over valid_by_seq as next_ts,
        lag(is_stopped) over valid_by_seq as previous_stopped
    from day_points
    window valid_by_seq as (partition by placa, rota_date, is_valid order by point_seq)

),

run_starts as (

    select
        *,
        case when previous_stopped is null or previous_stopped <> is_stopped then 1 else 0 end as starts_run
    from sequenced

),

runs as (

    select
        *,
        case
            when is_valid
                then sum(starts_run) over (
                    partition by placa, rota_date, is_valid order by point_seq rows unbounded preceding
                )
        end as run_number
    from run_starts

),

{# One row per run of stopped or moving valid points, plus one (run_number null) for the
    excluded points of the day. #}
run_metrics as (

    select
        placa,
        rota_date,
        run_number,
        {{ count_where('is_valid and is_stopped') }} > 0 as is_stop,
        min(case when is_valid then data_transmissao end) as run_start,
        max(case when is_valid then data_transmissao end) as run_last,
        max(case when is_valid then coalesce(next_ts, data_transmissao) end) as run_end,
        {{ count_where('is_valid') }} as valid_points,
        {{ count_where('not is_valid') }} as excluded_points,
        sum(case when is_valid then segment_km end) as distance_km,
        sum(case when is_valid and not previous_is_stopped then segment_seconds end) as moving_seconds,
        sum(case when is_valid and not previous_is_stopped then segment_km end) as moving_km,
        max(case when is_valid then velocidade end) as max_speed_kmh,
        max(_dlt_load_id) as _max_load_id
    from runs
    group by placa, rota_date, run_number

),

day_metrics as (

    select
        placa,
        rota_date,
        min(run_start) as start_ts,
        max(run_last) as end_ts,
        sum(valid_points) as point_count,
        coalesce(sum(distance_km), 0) as distance_km,
        coalesce(sum(moving_seconds), 0) as moving_seconds,
        sum(moving_km) as moving_km,
        {{ count_where(
            'is_stop and ' ~ seconds_between('run_start', 'run_end')
            ~ ' >= ' ~ var('fleet_min_stop_minutes') ~ ' * 60'
        ) }} as stop_count,
        max(max_speed_kmh) as max_speed_kmh,
        sum(excluded_points) as excluded_points,
        {{ touched_partitions_audit_columns('_max_load_id') }}
    from run_metrics
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
        cast(day_metrics.distance_km as {{ type_double() }}) as distance_km,
        cast(
            coalesce({{ seconds_between('day_metrics.start_ts', 'day_metrics.end_ts') }}, 0) / 60
            as {{ type_double() }}
        ) as duration_minutes,
        cast(day_metrics.moving_seconds / 60 as {{ type_double() }}) as moving_minutes,
        cast(day_metrics.stop_count as {{ dbt.type_bigint() }}) as stop_count,
        cast(day_metrics.max_speed_kmh as {{ type_double() }}) as max_speed_kmh,
        cast(
            case
                when day_metrics.moving_seconds > 0
                    then day_metrics.moving_km * 3600 / day_metrics.moving_seconds
            end as {{ type_double() }}
        ) as avg_moving_speed_kmh,
        cast(day_metrics.excluded_points as {{ dbt.type_bigint() }}) as excluded_points,
        day_metrics._max_load_id,
        day_metrics._computed_at
    from day_metrics

)

select * from final
