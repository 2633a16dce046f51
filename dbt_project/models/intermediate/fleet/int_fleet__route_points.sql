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

{%- if is_incremental() %}

{#- A second import of the same view, filtered on the load id before anything is parsed (one
    reference per CTE, so neither engine materialises the whole parsed history). #}
new_positions as (

    select * from {{ ref('stg_fleet__positions') }}
    where _dlt_load_id > (select coalesce(max(done._dlt_load_id), '') from {{ this }} as done)

),

touched as (

    select distinct
        placa,
        {{ local_date('data_transmissao', var('fleet_time_zone')) }} as rota_date
    from new_positions
    where data_transmissao is not null

),

{%- endif %}

dated as (

    select
        positions.*,
        {{ local_date('positions.data_transmissao', var('fleet_time_zone')) }} as rota_date
    from positions
    {%- if is_incremental() %}
    where substr(trim(positions.data_transmissao_text), 1, 10) in ({{ fleet_touched_day_texts(this) }})
    {%- endif %}

),

day_positions as (

    select
        dated.*,
        row_number() over (
            partition by dated.placa, dated.data_transmissao, dated.latitude, dated.longitude
            order by dated._dlt_load_id desc, dated.position_key asc
        ) as duplicate_rank
    from dated
    {%- if is_incremental() %}
    inner join touched
        on dated.placa = touched.placa and dated.rota_date = touched.rota_date
    {%- endif %}

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

{# Windows over the points with good coordinates only: partitioning also by "good" keeps the
    others out of lag/lead without a self-join. #}
good_neighbours as (

    select
        *,
        lag(latitude) over good_by_time as previous_latitude,
        lag(longitude) over good_by_time as previous_longitude,
        lag(data_transmissao) over good_by_time as previous_ts
    from coordinates
    window good_by_time as (
        partition by placa, rota_date, coordinate_issue is null
        order by data_transmissao, position_key
    )

),

speed_from_previous as (

    select
        *,
        case
            when coordinate_issue is null
                then
                    {{ haversine_km('previous_latitude', 'previous_longitude', 'latitude', 'longitude') }}
                    / greatest({{ seconds_between('previous_ts', 'data_transmissao') }}, 1) * 3600
        end as implied_speed_kmh
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
            and coalesce(lead(implied_speed_kmh) over good_by_time > {{ var('fleet_max_implied_speed_kmh') }}, true),
            lead(implied_speed_kmh) over good_by_time > {{ var('fleet_max_implied_speed_kmh') }}
            and lead(implied_speed_kmh, 2) over good_by_time <= {{ var('fleet_max_implied_speed_kmh') }},
            false
        ) as is_jump
    from speed_from_previous
    window good_by_time as (
        partition by placa, rota_date, coordinate_issue is null
        order by data_transmissao, position_key
    )

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
