{%- set text_columns = ['dia', 'cliente', 'operacion', 'booking', 'contenedor', 'volumen', 'precinto',
    'observaciones', 'estado', 'hora', 'e_tally', '_file_name'] -%}
{%- set stand_in = [] -%}
{%- for name in text_columns %}{% do stand_in.append((name, dbt.type_string())) %}{% endfor -%}
{%- do stand_in.extend([('_row_number', 'bigint'), ('_dlt_load_id', dbt.type_string())]) -%}

with

source as (

    select * from {{ source_or_empty(source('traffic', 'csv_remisiones_semana'), stand_in) }}

),

cleaned as (

    select
        cast(_row_number as bigint) as source_row,
        _file_name as file_name,
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
        {{ dlt_load_timestamp('_dlt_load_id') }} as loaded_at,
        _dlt_load_id

    from source

),

final as (

    select
        source_row,
        file_name,
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
        coalesce(
            dia_text, cliente, operacion, booking, contenedor, volumen, precinto, observaciones, estado,
            hora_text, e_tally
        ) is null as is_placeholder_row,
        loaded_at,
        _dlt_load_id

    from cleaned

)

select * from final
