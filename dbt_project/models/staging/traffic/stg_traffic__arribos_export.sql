{%- set relation = source('traffic', 'csv_arribos_semana') -%}
{%- set text_columns = ['terminal', 'turno', 'contenedor', 'cliente', 'booking', 'tipo_cnt', 'oper', 'tiempo',
    'estado', 'chofer', 'dimension', 'fecha', 'arribado', 'tlat', 'peso', 'peligrosa', '_file_name'] -%}
{%- set stand_in = [] -%}
{%- for name in text_columns %}{% do stand_in.append((name, dbt.type_string())) %}{% endfor -%}
{%- do stand_in.extend([('_row_number', 'bigint'), ('_dlt_load_id', dbt.type_string())]) -%}

with

source as (

    select * from {{ source_or_empty(relation, stand_in) }}

),

cleaned as (

    select
        cast(_row_number as bigint) as source_row,
        _file_name as file_name,
        contenedor as contenedor_source,
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
        {{ traffic_clean(column_or_null(relation, 'arribado', dbt.type_string())) }} as arribado_text,
        {{ traffic_clean(column_or_null(relation, 'tlat', dbt.type_string())) }} as tlat,
        {{ traffic_clean(column_or_null(relation, 'peso', dbt.type_string())) }} as peso_text,
        {{ traffic_clean(column_or_null(relation, 'peligrosa', dbt.type_string())) }} as peligrosa,
        {{ dlt_load_timestamp('_dlt_load_id') }} as loaded_at,
        _dlt_load_id

    from source

),

final as (

    select
        source_row,
        file_name,
        contenedor_source,
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
        arribado_text,
        {{ traffic_parse_flag('arribado_text') }} as arribado,
        tlat,
        peso_text,
        {{ traffic_parse_decimal('peso_text') }} as peso,
        peligrosa,
        coalesce(
            terminal, turno_text, contenedor, cliente, booking, tipo_cnt, oper, tiempo, estado, chofer,
            dimension_text, fecha_text, arribado_text, tlat, peso_text, peligrosa
        ) is null as is_placeholder_row,
        loaded_at,
        _dlt_load_id

    from cleaned

)

select * from final
