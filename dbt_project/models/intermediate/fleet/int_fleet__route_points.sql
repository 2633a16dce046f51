{#- Every position with a readable time, by plate and local day, deduplicated and quality-flagged,
    with the segment from the previous valid point. The one place where bad points are decided:
    null, zero or impossible coordinates, or a jump: a speed implied from the previous point with
    good coordinates above `fleet_max_implied_speed_kmh` (see `implied_speeds`). Incremental: a plate-day with a position from a
    newer dlt load than any here is recomputed whole (late points included). -#}
{{
    config(
        materialized='incremental',
        unique_key=['placa', 'rota_date'],
        incremental_strategy='delete+insert',
    )
}}

with

positions as (

    select * from {{ ref('stg_fleet__positions') }}

),

dated as (

    select
        *,
        {{ local_date('data_transmissao', var('fleet_time_zone')) }} as rota_date
    from positions
    where data_transmissao is not null

),

touched as (

    select distinct
        placa,
        rota_date
    from dated
    {%- if is_incremental() %}
    where _dlt_load_id > (select coalesce(max(done._dlt_load_id), '') from {{ this }} as done)
    {%- endif %}

),

day_positions as (

    select
        dated.*,
        row_number() over (
            partition by dated.placa, dated.data_transmissao, dated.latitude, dated.longitude
            order by dated._dlt_load_id desc, dated.position_key
        ) as duplicate_rank
    from dated
    inner join touched
        on dated.placa = touched.placa and dated.rota_date = touched.rota_date

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
    where duplicate_rank = 1

),

good_coordinates as (

    select
        position_key,
        placa,
        rota_date,
        data_transmissao,
        latitude,
        longitude,
        lag(latitude) over by_time as previous_latitude,
        lag(longitude) over by_time as previous_longitude,
        lag(data_transmissao) over by_time as previous_ts
    from coordinates
    where coordinate_issue is null
    window by_time as (partition by placa, rota_date order by data_transmissao, position_key)

),

speed_from_previous as (

    select
        *,
        {{ fleet_haversine_km('previous_latitude', 'previous_longitude', 'latitude', 'longitude') }}
        / greatest({{ fleet_seconds_between('previous_ts', 'data_transmissao') }}, 1) * 3600
            as implied_speed_kmh
    from good_coordinates

),

{#- A jump: the speed implied from the previous point with good coordinates is above the limit,
    and so is the speed implied to the next one (the point is off, not its neighbour). The last
    point of a day only needs the first condition; the first point is a jump when the speed to
    the next point is above the limit while the next point agrees with the one after it. -#}
implied_speeds as (

    select
        position_key,
        implied_speed_kmh,
        coalesce(
            implied_speed_kmh > {{ var('fleet_max_implied_speed_kmh') }}
            and coalesce(lead(implied_speed_kmh) over by_time > {{ var('fleet_max_implied_speed_kmh') }}, true),
            lead(implied_speed_kmh) over by_time > {{ var('fleet_max_implied_speed_kmh') }}
            and lead(implied_speed_kmh, 2) over by_time <= {{ var('fleet_max_implied_speed_kmh') }},
            false
        ) as is_jump
    from speed_from_previous
    window by_time as (partition by placa, rota_date order by data_transmissao, position_key)

),

implied as (

    select
        coordinates.*,
        implied_speeds.implied_speed_kmh,
        implied_speeds.is_jump
    from coordinates
    left join implied_speeds
        on coordinates.position_key = implied_speeds.position_key

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

valid_segments as (

    select
        position_key,
        row_number() over by_time as point_seq,
        {{ fleet_haversine_km('lag(latitude) over by_time', 'lag(longitude) over by_time',
            'latitude', 'longitude') }} as segment_km,
        {{ fleet_seconds_between('lag(data_transmissao) over by_time', 'data_transmissao') }}
            as segment_seconds,
        lag(is_stopped) over by_time as previous_is_stopped
    from flagged
    where quality_flag = 'ok'
    window by_time as (partition by placa, rota_date order by data_transmissao, position_key)

),

final as (

    select
        flagged.position_key,
        flagged.placa,
        flagged.rota_date,
        flagged.descricao,
        flagged.frota,
        flagged.equipamento_serial,
        flagged.logradouro,
        flagged.data_transmissao,
        flagged.data_gravacao,
        flagged.latitude,
        flagged.longitude,
        flagged.velocidade,
        flagged.ignicao,
        flagged.odometro,
        flagged.odometro_can,
        flagged.horimetro,
        flagged.bateria,
        flagged.unparsed_fields,
        flagged.quality_flag,
        flagged.quality_flag = 'ok' as is_valid,
        flagged.is_stopped,
        flagged.implied_speed_kmh,
        valid_segments.point_seq,
        valid_segments.segment_km,
        valid_segments.segment_seconds,
        valid_segments.previous_is_stopped,
        flagged._dlt_load_id
    from flagged
    left join valid_segments
        on flagged.position_key = valid_segments.position_key

)

select * from final
