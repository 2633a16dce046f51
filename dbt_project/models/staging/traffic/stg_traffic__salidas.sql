with

landed as (

    select * from {{ source_or_empty(source('traffic', 'salidas'), [
        ('contenedor', dbt.type_string()), ('fecha_egr', dbt.type_timestamp()),
        ('validada', dbt.type_string()), ('_dlt_load_id', dbt.type_string())]) }}

),

source as (

    -- one row per key (the lake of ELT_TARGET=spark is append-only)
    select * from {{ latest_version('landed', ['contenedor', 'fecha_egr']) }}

),

final as (

    select
        {{ traffic_upper_clean('contenedor') }} as contenedor,
        {{ traffic_container_key('contenedor') }} as container_key,
        cast(fecha_egr as timestamp) as fecha_egr,
        {{ traffic_clean('cast(validada as ' ~ dbt.type_string() ~ ')') }} as validada,
        {{ dlt_load_timestamp('_dlt_load_id') }} as loaded_at,
        _dlt_load_id

    from source

)

select * from final
