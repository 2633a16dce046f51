with

source as (

    select * from {{ source_or_empty(source('traffic', 'csv_arribos_expo_semana_ctns'), [
        ('booking', dbt.type_string()), ('contenedor', dbt.type_string()), ('_file_name', dbt.type_string()),
        ('_row_number', 'bigint'), ('_dlt_load_id', dbt.type_string())]) }}

),

final as (

    select
        cast(_row_number as bigint) as row_number_in_file,
        _file_name as file_name,
        {{ traffic_upper_clean('booking') }} as booking,
        {{ traffic_upper_clean('contenedor') }} as contenedor,
        {{ traffic_container_key('contenedor') }} as container_key,
        {{ traffic_upper_clean('booking') }} is null
        and {{ traffic_upper_clean('contenedor') }} is null as is_placeholder_row,
        {{ dlt_load_timestamp('_dlt_load_id') }} as loaded_at,
        _dlt_load_id

    from source

)

select * from final
