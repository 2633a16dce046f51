{%- set relation = source('traffic', 'arribos_expo_ctns') -%}

with

source as (

    select * from {{ relation }}

),

cleaned as (

    select
        cast({{ column_or_null(relation, 'id', 'bigint') }} as bigint) as source_id,
        cast(_source_row as bigint) as source_row,
        contenedor as contenedor_source,
        {{ column_or_null(relation, 'chofer', dbt.type_string()) }} as chofer_source,
        {{ traffic_clean('fecha') }} as fecha_text,
        {{ traffic_upper_clean('booking') }} as booking,
        {{ traffic_clean('cliente') }} as cliente,
        cast(cantidad as bigint) as cantidad,
        {{ traffic_upper_clean('contenedor') }} as contenedor,
        {{ traffic_container_key('contenedor') }} as container_key,
        {{ traffic_clean('precinto') }} as precinto,
        {{ traffic_clean('origen') }} as origen,
        {{ traffic_clean('obs') }} as obs,
        {{ traffic_clean('estado') }} as estado,
        {{ traffic_clean(column_or_null(relation, 'chofer', dbt.type_string())) }} as chofer,
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
        fecha_text,
        {{ traffic_parse_date('fecha_text', 'cast(loaded_at as date)') }} as fecha,
        booking,
        cliente,
        cantidad,
        contenedor,
        container_key,
        precinto,
        origen,
        obs,
        estado,
        chofer,
        loaded_at,
        _dlt_load_id

    from cleaned

)

select * from final
