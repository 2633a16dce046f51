with

source as (

    select * from {{ source('traffic', 'csv_arribos_expo_semana_ctns') }}

),

final as (

    select
        cast(_row_number as bigint) as row_number_in_file,
        _file_name as file_name,
        {{ traffic_upper_clean('booking') }} as booking,
        {{ traffic_upper_clean('contenedor') }} as contenedor,
        {{ traffic_container_key('contenedor') }} as container_key,
        _dlt_load_id

    from source

)

select * from final
