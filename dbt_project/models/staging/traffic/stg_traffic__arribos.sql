with

source as (

    select * from {{ source('traffic', 'arribos') }}

),

cleaned as (

    select
        cast(id as bigint) as source_id,
        cast(_source_row as bigint) as source_row,
        contenedor as contenedor_source,
        chofer as chofer_source,
        {{ traffic_clean('terminal') }} as terminal,
        {{ traffic_clean('turno') }} as turno_text,
        {{ traffic_upper_clean('contenedor') }} as contenedor,
        {{ traffic_container_key('contenedor') }} as container_key,
        {{ traffic_clean('cliente') }} as cliente,
        {{ traffic_upper_clean('booking') }} as booking,
        {{ traffic_clean('tipo_cnt') }} as tipo_cnt,
        {{ traffic_clean('oper') }} as oper,
        {{ traffic_clean('tiempo') }} as tiempo,
        {{ traffic_clean('estado') }} as estado,
        {{ traffic_clean('chofer') }} as chofer,
        {{ traffic_clean('dimension') }} as dimension_text,
        {{ traffic_clean('fecha') }} as fecha_text,
        {{ dlt_load_timestamp('_dlt_load_id') }} as loaded_at,
        _dlt_load_id

    from source

),

final as (

    select
        source_id,
        source_row,
        contenedor_source,
        chofer_source,
        {{ traffic_terminal_name('terminal') }} as terminal,
        turno_text,
        {{ traffic_parse_time('turno_text') }} as turno,
        contenedor,
        container_key,
        cliente,
        booking,
        tipo_cnt,
        oper,
        tiempo,
        estado,
        chofer,
        {{ traffic_dimension_code('dimension_text', 'tipo_cnt') }} as dimension,
        fecha_text,
        {{ traffic_parse_date('fecha_text', 'cast(loaded_at as date)') }} as fecha,
        loaded_at,
        _dlt_load_id

    from cleaned

)

select * from final
