with

validated as (

    select * from {{ ref('int_traffic__pendiente_desconsolidar_validated') }}

),

exits as (

    select * from {{ ref('int_traffic__container_exits') }}

),

final as (

    select
        validated.container_key as business_key,
        validated.source_id,
        validated.contenedor,
        validated.cliente,
        validated.entrega,
        validated.vto_vacio,
        validated.tipo,
        validated.peso,
        validated.cantidad,
        validated.envase,
        validated.chofer,
        coalesce(exits.estado_pendiente, validated.estado) as estado

    from validated
    left join exits on validated.container_key = exits.container_key
    where validated.rejection_reasons is null

)

select * from final
