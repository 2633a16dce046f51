{%- set text_columns = ['contenedor', 'cliente', 'entrega', 'vto_vacio', 'tipo', 'peso', 'cantidad', 'envase',
    'estado', 'chofer', '_file_name'] -%}
{%- set stand_in = [] -%}
{%- for name in text_columns %}{% do stand_in.append((name, dbt.type_string())) %}{% endfor -%}
{%- do stand_in.extend([('_row_number', 'bigint'), ('_dlt_load_id', dbt.type_string())]) -%}

with

source as (

    select * from {{ source_or_empty(source('traffic', 'csv_pendiente_desconsolidar'), stand_in) }}

),

cleaned as (

    select
        cast(_row_number as bigint) as source_row,
        _file_name as file_name,
        contenedor as contenedor_source,
        {{ traffic_upper_clean('contenedor') }} as contenedor,
        {{ traffic_container_key('contenedor') }} as container_key,
        {{ traffic_clean('cliente') }} as cliente,
        {{ traffic_clean('entrega') }} as entrega,
        {{ traffic_clean('vto_vacio') }} as vto_vacio_text,
        {{ traffic_clean('tipo') }} as tipo,
        {{ traffic_clean('peso') }} as peso_text,
        {{ traffic_clean('cantidad') }} as cantidad_text,
        {{ traffic_clean('envase') }} as envase,
        {{ traffic_clean('estado') }} as estado,
        {{ traffic_clean('chofer') }} as chofer,
        {{ dlt_load_timestamp('_dlt_load_id') }} as loaded_at,
        _dlt_load_id

    from source

),

final as (

    select
        source_row,
        file_name,
        contenedor_source,
        contenedor,
        container_key,
        cliente,
        entrega,
        vto_vacio_text,
        {{ traffic_parse_date('vto_vacio_text', 'cast(loaded_at as date)') }} as vto_vacio,
        tipo,
        peso_text,
        {{ traffic_parse_decimal('peso_text') }} as peso,
        cantidad_text,
        {{ traffic_parse_integer('cantidad_text') }} as cantidad,
        envase,
        estado,
        chofer,
        coalesce(
            contenedor, cliente, entrega, vto_vacio_text, tipo, peso_text, cantidad_text, envase, estado, chofer
        ) is null as is_placeholder_row,
        loaded_at,
        _dlt_load_id

    from cleaned

)

select * from final
