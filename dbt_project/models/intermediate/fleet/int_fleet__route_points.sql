{#- Every position with a readable time, by plate and local day, deduplicated and quality-flagged,
    with the segment from the previous valid point. The one place where bad points are decided:
    null, zero or impossible coordinates, or a jump: a speed implied from the previous point with
    good coordinates above `fleet_max_implied_speed_kmh` (see the CTE `implied`). Incremental
    (`touched_partitions`): a plate-day with a position from a newer dlt load than any here is
    recomputed whole (late points included). -#}
{{
    config(
        materialized='incremental',
        unique_key=['placa', 'rota_date'],
        incremental_strategy=partition_strategy(),
        partition_by=partition_columns(['rota_date']),
    )
}}

with

positions as (

    select * from {{ ref('stg_fleet__positions') }}

),

dated as (

    select
        positions.*,
        {{ fleet_route_date('positions.data_transmissao') }} as rota_date
    from positions
    {#- Incremental: only the days with new positions, as literal texts of the raw value (see
        `fleet_day_texts`); `day_positions` then keeps the touched plate-days of those days. #}
    {%- if is_incremental() %}
    where substr(trim(positions.data_transmissao_text), 1, 10) in ({{ fleet_day_texts(touched_partitions(
        ref('stg_fleet__positions'),
        [dbt.cast(fleet_route_date('data_transmissao'), dbt.type_string())],
        processed_load_id='_dlt_load_id',
    )) }})
    {%- endif %}

),

day_positions as (

    select
        *,
        row_number() over (
            partition by placa, data_transmissao, latitude, longitude
            order by _dlt_load_id desc, position_key asc
        ) as duplicate_rank
    from dated
    {{- where_touched(
        'dated', rewrite_grain(['placa', 'rota_date'], ['rota_date']), processed_load_id='_dlt_load_id'
    ) }}

),

coordinates as (

    select
        *,
        case
            when latitude is null or longitude is null then 'missing_coordinates'
            when latitude = 0 or longitude = 0 then 'zero_coordinates'
            when abs(latitude) > 90 or abs(longitude) > 180 then 'impossible_coordinates'
        end as coordinate_issue
    from day_positions
    -- a position whose time cannot be read has no day (it is in positions_rejects)
    where duplicate_rank = 1 and rota_date is not null

),

{# One window over the points with good coordinates only (partitioning also by "good" keeps the
    others out of lag/lead without a self-join): the previous point and the next two, so the speeds
    from the previous point, to the next one and from the next one to the one after it come out of
    one sort. #}
good_neighbours as (

    select
        *,
        lag(latitude) over good_by_time as previous_latitude,
        lag(longitude) over good_by_time as previous_longitude,
        lag(data_transmissao) over good_by_time as previous_ts,
        lead(latitude) over good_by_time as next_latitude,
        lead(longitude) over good_by_time as next_longitude,
        lead(data_transmissao) over good_by_time as next_ts,
        lead(latitude, 2) over good_by_time as second_latitude,
        lead(longitude, 2) over good_by_time as second_longitude,
        lead(data_transmissao, 2) over good_by_time as second_ts
    from coordinates
    window good_by_time as (
        partition by placa, rota_date, coordinate_issue is null
        order by data_transmissao, position_key
    )

),

speeds as (

    select
        *,
        case
            when coordinate_issue is null
                then {{ implied_speed_kmh('previous_latitude', 'previous_longitude', 'previous_ts',
                    'latitude', 'longitude', 'data_transmissao') }}
        end as implied_speed_kmh,
        case
            when coordinate_issue is null
                then {{ implied_speed_kmh('latitude', 'longitude', 'data_transmissao',
                    'next_latitude', 'next_longitude', 'next_ts') }}
        end as next_speed_kmh,
        case
            when coordinate_issue is null
                then {{ implied_speed_kmh('next_latitude', 'next_longitude', 'next_ts',
                    'second_latitude', 'second_longitude', 'second_ts') }}
        end as second_speed_kmh
    from good_neighbours

),

{# A jump: the speed implied from the previous point with good coordinates is above the limit,
    and so is the speed implied to the next one (the point is off, not its neighbour). The last
    point of a day only needs the first condition; the first point is a jump when the speed to
    the next point is above the limit while the next point agrees with the one after it. #}
implied as (

    select
        *,
        coalesce(
            implied_speed_kmh > {{ var('fleet_max_implied_speed_kmh') }}
            and coalesce(next_speed_kmh > {{ var('fleet_max_implied_speed_kmh') }}, true),
            next_speed_kmh > {{ var('fleet_max_implied_speed_kmh') }}
            and second_speed_kmh <= {{ var('fleet_max_implied_speed_kmh') }},
            false
        ) as is_jump
    from speeds

),

flagged as (

    select
        *,
        coalesce(
            coordinate_issue,
            case when is_jump then 'implied_speed' end,
            'ok'
        ) as quality_flag,
        coalesce(not ignicao, false) or coalesce(velocidade = 0, false) as is_stopped
    from implied

),

segments as (

    select
        *,
        row_number() over valid_by_time as valid_rank,
        {{ round_double(haversine_km('lag(latitude) over valid_by_time', 'lag(longitude) over valid_by_time',
            'latitude', 'longitude'), 6) }} as valid_segment_km,
        {{ seconds_between('lag(data_transmissao) over valid_by_time', 'data_transmissao') }}
            as valid_segment_seconds,
        lag(is_stopped) over valid_by_time as valid_previous_is_stopped
    from flagged
    window valid_by_time as (
        partition by placa, rota_date, quality_flag = 'ok'
        order by data_transmissao, position_key
    )

),

final as (

    select
        position_key,
        placa,
        rota_date,
        descricao,
        frota,
        equipamento_serial,
        logradouro,
        data_transmissao,
        data_gravacao,
        latitude,
        longitude,
        velocidade,
        ignicao,
        odometro,
        odometro_can,
        horimetro,
        bateria,
        unparsed_fields,
        quality_flag,
        quality_flag = 'ok' as is_valid,
        is_stopped,
        implied_speed_kmh,
        case when quality_flag = 'ok' then valid_rank end as point_seq,
        case when quality_flag = 'ok' then valid_segment_km end as segment_km,
        case when quality_flag = 'ok' then valid_segment_seconds end as segment_seconds,
        case when quality_flag = 'ok' then valid_previous_is_stopped end as previous_is_stopped,
        _dlt_load_id
    from segments

)

select * from final
