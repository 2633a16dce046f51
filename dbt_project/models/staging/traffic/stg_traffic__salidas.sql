with

source as (

    select * from {{ source('traffic', 'salidas') }}

),

final as (

    select
        {{ traffic_upper_clean('contenedor') }} as contenedor,
        {{ traffic_container_key('contenedor') }} as container_key,
        cast(fecha_egr as timestamp) as fecha_egr,
        {{ traffic_clean('cast(validada as ' ~ dbt.type_string() ~ ')') }} as validada,
        {{ traffic_load_timestamp('_dlt_load_id') }} as loaded_at,
        _dlt_load_id

    from source

)

select * from final
