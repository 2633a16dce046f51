{%- set chofer = column_or_null(source('traffic', 'remisiones'), 'chofer', dbt.type_string()) -%}

with

source as (

    select * from {{ source('traffic', 'remisiones') }}

),

cleaned as (

    select
        cast(id as bigint) as source_id,
        cast(_source_row as bigint) as source_row,
        contenedor as contenedor_source,
        {{ traffic_clean('dia') }} as dia_text,
        {{ traffic_clean('cliente') }} as cliente,
        upper({{ traffic_clean('operacion') }}) as operacion,
        {{ traffic_upper_clean('booking') }} as booking,
        {{ traffic_upper_clean('contenedor') }} as contenedor,
        {{ traffic_container_key('contenedor') }} as container_key,
        {{ traffic_clean('volumen') }} as volumen,
        {{ traffic_clean('precinto') }} as precinto,
        {{ traffic_clean('observaciones') }} as observaciones,
        {{ traffic_clean('estado') }} as estado,
        {{ traffic_clean('hora') }} as hora_text,
        {{ traffic_clean('e_tally') }} as e_tally,
        {{ traffic_clean(chofer) }} as chofer,
        {{ dlt_load_timestamp('_dlt_load_id') }} as loaded_at,
        _dlt_load_id

    from source

),

final as (

    select
        source_id,
        source_row,
        contenedor_source,
        dia_text,
        {{ traffic_parse_date('dia_text', 'cast(loaded_at as date)') }} as dia,
        cliente,
        operacion,
        booking,
        contenedor,
        container_key,
        volumen,
        precinto,
        observaciones,
        estado,
        hora_text,
        {{ traffic_parse_time('hora_text') }} as hora,
        e_tally,
        chofer,
        loaded_at,
        _dlt_load_id

    from cleaned

)

select * from final
