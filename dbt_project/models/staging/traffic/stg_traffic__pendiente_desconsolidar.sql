with

source as (

    select * from {{ source('traffic', 'pendiente_desconsolidar') }}

),

cleaned as (

    select
        cast(id as bigint) as source_id,
        cast(_source_row as bigint) as source_row,
        contenedor as contenedor_source,
        {{ traffic_upper_clean('contenedor') }} as contenedor,
        {{ traffic_container_key('contenedor') }} as container_key,
        {{ traffic_clean('cliente') }} as cliente,
        {{ traffic_clean('entrega') }} as entrega,
        {{ traffic_clean('vto_vacio') }} as vto_vacio_text,
        {{ traffic_clean('tipo') }} as tipo,
        cast(peso as decimal(18, 3)) as peso,
        cast(cantidad as bigint) as cantidad,
        {{ traffic_clean('envase') }} as envase,
        {{ traffic_clean('estado') }} as estado,
        {{ traffic_clean('chofer') }} as chofer,
        {{ dlt_load_timestamp('_dlt_load_id') }} as loaded_at,
        _dlt_load_id

    from source

),

final as (

    select
        source_id,
        source_row,
        contenedor_source,
        contenedor,
        container_key,
        cliente,
        entrega,
        vto_vacio_text,
        {{ traffic_parse_date('vto_vacio_text', 'cast(loaded_at as date)') }} as vto_vacio,
        tipo,
        peso,
        cantidad,
        envase,
        estado,
        chofer,
        loaded_at,
        _dlt_load_id

    from cleaned

)

select * from final
